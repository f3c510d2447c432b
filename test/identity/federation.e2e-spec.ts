import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { authenticator } from 'otplib';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { TestIdentityProvider } from '../support/identity-provider';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The contract's "External identity providers (federation)", against a real
 * OpenID provider on a loopback port (discovery, JWKS, ID tokens signed with
 * jose): admins configure providers, an ID token the frontend got becomes a
 * Careid session (POST /auth/token-exchange), found by subject once linked,
 * by verified email the first time, or signed up; everything else is refused.
 */
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const REFUSED = [401, 'FEDERATED_LOGIN_REFUSED'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('External identity providers', () => {
  const idp = new TestIdentityProvider();
  let t: TestApp;
  let admin: HttpClient;
  let alias: string;

  beforeAll(async () => {
    await idp.start();
    // One refetch of a provider's JWKS per second at most, so that the rotation tests wait little.
    t = await startTestApp({ env: { FEDERATION_JWKS_COOLDOWN_SECONDS: '1' } });
    admin = await loginAsAdmin(t.http);
    alias = (await addProvider(idp)).alias;
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });

  async function addProvider(provider: TestIdentityProvider, fields: Record<string, unknown> = {}) {
    const response = await admin.post('/api/v1/identity-providers', {
      alias: unique('idp'),
      issuer: provider.issuer,
      clientId: provider.clientId,
      ...fields,
    });
    if (response.status !== 201) throw new Error(`provider not created: ${response.status} ${response.text}`);
    return response.body;
  }

  const exchange = (subjectToken: string, provider = alias, extra: Record<string, unknown> = {}) =>
    t.http.post('/api/v1/auth/token-exchange', { provider, subjectToken, subjectTokenType: ID_TOKEN_TYPE, ...extra });

  const statusAndCode = (response: { status: number; body: any }) => [response.status, response.body.code];

  /** The newest audit event of a type about a user (or about nobody: `target` null). */
  async function lastEvent(type: string, target: string | null) {
    const rows = await sql(
      t.database.url,
      'SELECT outcome, details FROM audit_events WHERE type = $1 AND target_id IS NOT DISTINCT FROM $2 ORDER BY id DESC LIMIT 1',
      [type, target],
    );
    return rows[0];
  }

  describe('admin configuration', () => {
    it('creates a provider after reading its discovery document; the client secret is sealed and never returned', async () => {
      const secret = `secret-${randomUUID()}`;
      const created = await admin.post('/api/v1/identity-providers', {
        alias: unique('entra'),
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: secret,
        allowSignup: true,
        defaultRoles: ['PRACTITIONER'],
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/api/v1/identity-providers/${created.body.alias}`);
      expect(created.body).toMatchObject({ issuer: idp.issuer, clientId: idp.clientId, hasClientSecret: true, allowSignup: true });
      expect(created.body.rev).toMatch(/^1-[0-9a-f]{32}$/);
      const read = await admin.get(`/api/v1/identity-providers/${created.body.alias}`);
      const listed = await admin.get('/api/v1/identity-providers?limit=1000');
      for (const text of [created.text, read.text, listed.text]) expect(text).not.toContain(secret);
      expect(read.body).toEqual(created.body);
      expect(listed.body.rows.map((p: { alias: string }) => p.alias)).toContain(created.body.alias);
      const [stored] = await sql(t.database.url, 'SELECT client_secret FROM identity_providers WHERE alias = $1', [created.body.alias]);
      expect(stored.client_secret).toMatch(/^enc:v1:/);
      expect(stored.client_secret).not.toContain(secret);
    });

    it('modifies a provider sent back as read, with its rev; keeps the secret unless told; refuses a stale rev', async () => {
      const provider = await addProvider(idp, { clientSecret: 'kept' });
      const path = `/api/v1/identity-providers/${provider.alias}`;
      const modified = await admin.put(path, { ...provider, allowSignup: true, defaultRoles: ['NURSE'] });
      expect(modified.status).toBe(200);
      expect(modified.body).toMatchObject({ allowSignup: true, defaultRoles: ['NURSE'], hasClientSecret: true });
      expect(modified.body.rev).toMatch(/^2-/);
      expect(statusAndCode(await admin.put(path, { ...provider, allowSignup: false }))).toEqual([409, 'REVISION_CONFLICT']);
      const cleared = await admin.put(path, { ...modified.body, clientSecret: null });
      expect(cleared.body.hasClientSecret).toBe(false);
      expect(statusAndCode(await admin.put(path, { ...cleared.body, alias: 'another' }))).toEqual([400, 'ALIAS_MISMATCH']);
      expect(statusAndCode(await admin.put(path, { ...cleared.body, rev: undefined }))).toEqual([400, 'REV_REQUIRED']);
    });

    it('deletes a provider and the identities linked at it', async () => {
      const provider = await addProvider(idp);
      const { user } = await createUser(admin);
      expect((await exchange(await idp.idToken({ email: user.email, email_verified: true }), provider.alias)).status).toBe(200);
      expect((await admin.get(`/api/v1/users/${user.id}/identities`)).body.rows).toHaveLength(1);
      expect((await admin.delete(`/api/v1/identity-providers/${provider.alias}`)).status).toBe(204);
      expect((await admin.get(`/api/v1/users/${user.id}/identities`)).body.rows).toEqual([]);
      expect(statusAndCode(await admin.get(`/api/v1/identity-providers/${provider.alias}`))).toEqual([404, 'IDENTITY_PROVIDER_NOT_FOUND']);
      expect((await admin.delete(`/api/v1/identity-providers/${provider.alias}`)).status).toBe(404);
    });

    it('forgets the links made under an issuer when the provider moves to another (subjects are unique per issuer only)', async () => {
      const provider = await addProvider(idp);
      const { user } = await createUser(admin);
      const subject = randomUUID();
      expect((await exchange(await idp.idToken({ sub: subject, email: user.email, email_verified: true }), provider.alias)).status).toBe(
        200,
      );
      const elsewhere = await new TestIdentityProvider().start();
      try {
        const path = `/api/v1/identity-providers/${provider.alias}`;
        const moved = await admin.put(path, { ...provider, issuer: elsewhere.issuer, clientId: elsewhere.clientId });
        expect(moved.status).toBe(200);
        expect((await admin.get(`/api/v1/users/${user.id}/identities`)).body.rows).toEqual([]);
        // The same subject at the new issuer is somebody else: without a verified email of a user, nobody.
        expect(statusAndCode(await exchange(await elsewhere.idToken({ sub: subject }), provider.alias))).toEqual(REFUSED);
        // Tokens of the old issuer are refused now.
        expect(statusAndCode(await exchange(await idp.idToken({ sub: subject }), provider.alias))).toEqual(REFUSED);
      } finally {
        await elsewhere.stop();
      }
    });

    it('refuses an issuer that is not https (but loopback), one that does not answer, one whose discovery names another issuer', async () => {
      const create = (fields: Record<string, unknown>) =>
        admin.post('/api/v1/identity-providers', { alias: unique('bad'), issuer: idp.issuer, clientId: 'x', ...fields });
      for (const issuer of ['http://idp.example.org', 'ftp://127.0.0.1/x', 'not a url', `${idp.issuer}?tenant=1`, `${idp.issuer}#x`])
        expect([issuer, ...statusAndCode(await create({ issuer }))]).toEqual([issuer, 400, 'INVALID_ISSUER']);
      const closed = new TestIdentityProvider();
      await closed.start();
      await closed.stop();
      const unreachable = await create({ issuer: closed.issuer });
      expect(statusAndCode(unreachable)).toEqual([400, 'IDENTITY_PROVIDER_UNREACHABLE']);
      const other = await new TestIdentityProvider().start();
      other.discoveryOverrides = { issuer: 'https://someone-else.example' };
      expect(statusAndCode(await create({ issuer: other.issuer }))).toEqual([400, 'IDENTITY_PROVIDER_UNREACHABLE']);
      other.discoveryOverrides = { jwks_uri: 'http://keys.example.org/jwks' };
      expect(statusAndCode(await create({ issuer: other.issuer }))).toEqual([400, 'IDENTITY_PROVIDER_UNREACHABLE']);
      await other.stop();
    });

    it('refuses ADMIN among default roles, a taken alias, and unknown properties', async () => {
      expect(
        statusAndCode(
          await admin.post('/api/v1/identity-providers', {
            alias: unique('r'),
            issuer: idp.issuer,
            clientId: 'x',
            defaultRoles: ['admin'],
          }),
        ),
      ).toEqual([400, 'DEFAULT_ROLE_NOT_ALLOWED']);
      const taken = await admin.post('/api/v1/identity-providers', { alias, issuer: idp.issuer, clientId: 'x' });
      expect(statusAndCode(taken)).toEqual([400, 'DUPLICATE_IDENTITY_PROVIDER']);
      const unknown = await admin.post('/api/v1/identity-providers', { alias: unique('u'), issuer: idp.issuer, clientId: 'x', jwks: {} });
      expect(statusAndCode(unknown)).toEqual([400, 'VALIDATION_FAILED']);
    });
  });

  describe('token exchange', () => {
    it('opens a session for the user whose verified email the token carries, as /auth/login answers, and links it', async () => {
      const { user } = await createUser(admin);
      const subject = randomUUID();
      const response = await exchange(await idp.idToken({ sub: subject, email: user.email.toUpperCase(), email_verified: true }));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
      const me = await t.http.as(response.body.accessToken).get('/api/v1/users/current');
      expect(me.body.id).toBe(user.id);
      expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: response.body.refreshToken })).status).toBe(200);
      const identities = await t.http.as(response.body.accessToken).get(`/api/v1/users/${user.id}/identities`);
      expect(identities.body.rows).toEqual([{ provider: alias, subject, email: user.email.toUpperCase(), created: expect.any(Number) }]);
      expect(await lastEvent('LOGIN_SUCCEEDED', user.id)).toMatchObject({
        details: { method: 'federated-id-token', provider: alias, subject, via: 'email' },
      });
      expect((await lastEvent('FEDERATED_IDENTITY_LINKED', user.id)).details).toEqual({ provider: alias, subject, via: 'email' });
    });

    it('finds a linked user by its subject, whatever email the token or the user carries since', async () => {
      const { user } = await createUser(admin);
      const subject = randomUUID();
      expect((await exchange(await idp.idToken({ sub: subject, email: user.email, email_verified: true }))).status).toBe(200);
      const current = (await admin.get(`/api/v1/users/${user.id}`)).body;
      expect((await admin.put(`/api/v1/users/${user.id}`, { ...current, email: `${unique('moved')}@hospital.care` })).status).toBe(200);
      const again = await exchange(await idp.idToken({ sub: subject, email: `${unique('elsewhere')}@idp.example`, email_verified: false }));
      expect(again.status).toBe(200);
      expect((await t.http.as(again.body.accessToken).get('/api/v1/users/current')).body.id).toBe(user.id);
      expect((await lastEvent('LOGIN_SUCCEEDED', user.id)).details).toMatchObject({ via: 'subject' });
      // Another account at the same provider with the user's (new) verified address does not take it over.
      const newEmail = (await admin.get(`/api/v1/users/${user.id}`)).body.email;
      const intruder = await exchange(await idp.idToken({ sub: randomUUID(), email: newEmail, email_verified: true }));
      expect(statusAndCode(intruder)).toEqual(REFUSED);
      expect((await lastEvent('LOGIN_FAILED', null)).details.reason).toBe('linked-to-another-subject');
    });

    it('refuses, with one 401 and the reason in the audit trail: audience, issuer, expiry, signature, alg none, HMAC with the public key', async () => {
      const { user } = await createUser(admin);
      const claims = { email: user.email, email_verified: true };
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const now = Math.floor(Date.now() / 1000);
      const tokens: Record<string, string> = {
        audience: await idp.idToken({ ...claims, aud: 'another-client' }),
        issuer: await idp.idToken({ ...claims, iss: 'https://evil.example' }),
        expired: await idp.idToken({ ...claims, iat: now - 3600, exp: now - 600 }),
        signature: await idp.idToken(claims, { key: stranger }),
        algorithm: idp.unsignedToken({ ...claims, sub: randomUUID() }),
        hmac: await idp.idToken(claims, { alg: 'HS256', key: new TextEncoder().encode(idp.publicKeyPem()) }),
        'authorized-party': await idp.idToken({ ...claims, aud: [idp.clientId, 'another-client'], azp: 'another-client' }),
      };
      const answers: Record<string, unknown> = {};
      const reasons: Record<string, unknown> = {};
      for (const [name, token] of Object.entries(tokens)) {
        answers[name] = statusAndCode(await exchange(token));
        reasons[name] = (await lastEvent('LOGIN_FAILED', null)).details.reason;
      }
      expect(answers).toEqual(Object.fromEntries(Object.keys(tokens).map((name) => [name, REFUSED])));
      expect(reasons).toEqual({
        audience: 'audience',
        issuer: 'issuer',
        expired: 'expired',
        signature: 'signature',
        algorithm: 'algorithm',
        hmac: 'algorithm',
        'authorized-party': 'authorized-party',
      });
      expect((await admin.get(`/api/v1/users/${user.id}/identities`)).body.rows).toEqual([]);
    });

    it('refuses an unverified email and an unknown email alike, without saying whether an account exists', async () => {
      const { user } = await createUser(admin);
      const unverified = await exchange(await idp.idToken({ email: user.email, email_verified: false }));
      const nobody = `${unique('nobody')}@hospital.care`;
      const unknown = await exchange(await idp.idToken({ email: nobody, email_verified: true }));
      const noEmail = await exchange(await idp.idToken({}));
      for (const response of [unverified, unknown, noEmail]) expect(statusAndCode(response)).toEqual(REFUSED);
      expect(unverified.body.detail).toBe(unknown.body.detail);
      expect((await lastEvent('LOGIN_FAILED', null)).details).toMatchObject({ reason: 'email-not-verified', provider: alias });
      expect((await admin.get(`/api/v1/users/count?q=${encodeURIComponent(nobody)}`)).body.count).toBe(0);
    });

    it('refuses a disabled user, and a deleted user frees its link', async () => {
      const { user } = await createUser(admin);
      const subject = randomUUID();
      expect((await exchange(await idp.idToken({ sub: subject, email: user.email, email_verified: true }))).status).toBe(200);
      const current = (await admin.get(`/api/v1/users/${user.id}`)).body;
      expect((await admin.put(`/api/v1/users/${user.id}`, { ...current, status: 'DISABLED' })).status).toBe(200);
      const disabled = await exchange(await idp.idToken({ sub: subject }));
      expect(statusAndCode(disabled)).toEqual([401, 'ACCOUNT_NOT_ACTIVE']);
      expect(await lastEvent('LOGIN_FAILED', user.id)).toMatchObject({ outcome: 'denied', details: { reason: 'DISABLED' } });

      expect((await admin.delete(`/api/v1/users/${user.id}`)).status).toBe(200);
      const { user: successor } = await createUser(admin, { email: user.email });
      const relinked = await exchange(await idp.idToken({ sub: subject, email: user.email, email_verified: true }));
      expect(relinked.status).toBe(200);
      expect((await t.http.as(relinked.body.accessToken).get('/api/v1/users/current')).body.id).toBe(successor.id);
    });

    it("signs up an ACTIVE user with the provider's default roles when it allows sign-up, once", async () => {
      const provider = await addProvider(idp, { allowSignup: true, defaultRoles: ['NURSE'] });
      const email = `${unique('newcomer')}@hospital.care`;
      const subject = randomUUID();
      const first = await exchange(await idp.idToken({ sub: subject, email, email_verified: true, name: 'Nina Newcomer' }), provider.alias);
      expect(first.status).toBe(200);
      const me = (await t.http.as(first.body.accessToken).get('/api/v1/users/current')).body;
      expect(me).toMatchObject({ email, login: email, name: 'Nina Newcomer', roles: ['NURSE'], status: 'ACTIVE' });
      expect(me.passwordHash).toBeUndefined();
      const second = await exchange(await idp.idToken({ sub: subject, email, email_verified: true }), provider.alias);
      expect((await t.http.as(second.body.accessToken).get('/api/v1/users/current')).body.id).toBe(me.id);
      expect((await admin.get(`/api/v1/users?q=${encodeURIComponent(email)}`)).body.rows).toHaveLength(1);
      expect((await lastEvent('LOGIN_SUCCEEDED', me.id)).details).toMatchObject({ via: 'subject' });
      // Without allowSignup, the same kind of token opens nothing.
      const closed = await exchange(await idp.idToken({ email: `${unique('newcomer')}@hospital.care`, email_verified: true }));
      expect(statusAndCode(closed)).toEqual(REFUSED);
    });

    it('answers 400 to an unknown provider and to another token type', async () => {
      const token = await idp.idToken({});
      expect(statusAndCode(await exchange(token, 'no-such-provider'))).toEqual([400, 'UNKNOWN_IDENTITY_PROVIDER']);
      expect(statusAndCode(await exchange(token, alias, { subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token' }))).toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
      expect(statusAndCode(await exchange('not-a-jwt'))).toEqual(REFUSED);
    });

    it('picks up a key the provider rotated to (a new kid), ES256 as well as RS256', async () => {
      const { user } = await createUser(admin);
      const claims = { sub: randomUUID(), email: user.email, email_verified: true };
      expect((await exchange(await idp.idToken(claims))).status).toBe(200);
      for (const alg of ['ES256', 'RS256'] as const) {
        await idp.rotate(alg, { keepOld: false });
        await sleep(1100); // FEDERATION_JWKS_COOLDOWN_SECONDS
        const fetches = idp.jwksFetches.length;
        const response = await exchange(await idp.idToken(claims));
        expect([alg, response.status]).toEqual([alg, 200]);
        expect(idp.jwksFetches.length).toBe(fetches + 1);
      }
    });

    it('refetches the JWKS for unknown key ids at most once per cooldown', async () => {
      const { user } = await createUser(admin);
      await sleep(1100);
      const fetches = idp.jwksFetches.length;
      const answers = await Promise.all(
        Array.from({ length: 10 }, async () =>
          statusAndCode(await exchange(await idp.idToken({ email: user.email, email_verified: true }, { kid: randomUUID() }))),
        ),
      );
      expect(answers).toEqual(Array(10).fill(REFUSED));
      expect(idp.jwksFetches.length - fetches).toBe(1);
      expect((await lastEvent('LOGIN_FAILED', null)).details.reason).toBe('unknown-key');
    });

    it('keeps verifying with the keys it holds while the provider is down; an instance that holds none answers 503', async () => {
      const flaky = await new TestIdentityProvider().start();
      const provider = await addProvider(flaky);
      const { user } = await createUser(admin);
      const claims = { sub: randomUUID(), email: user.email, email_verified: true };
      const [known, unknownKid] = [await flaky.idToken(claims), await flaky.idToken(claims, { kid: randomUUID() })];
      await flaky.stop();
      await sleep(1100); // past the cooldown: the unknown kid tries a refetch, which fails
      expect((await exchange(known, provider.alias)).status).toBe(200);
      expect(statusAndCode(await exchange(unknownKid, provider.alias))).toEqual(REFUSED);
      const second = await startTestApp({ database: t.database });
      try {
        const response = await second.http.post('/api/v1/auth/token-exchange', {
          provider: provider.alias,
          subjectToken: known,
          subjectTokenType: ID_TOKEN_TYPE,
        });
        expect(statusAndCode(response)).toEqual([503, 'IDENTITY_PROVIDER_UNAVAILABLE']);
        expect((await lastEvent('LOGIN_FAILED', null)).details).toMatchObject({ reason: 'provider-unavailable', provider: provider.alias });
      } finally {
        await second.close();
      }
    });

    it("asks for the user's TOTP code only where the provider requires it", async () => {
      const strict = await addProvider(idp, { requireTotp: true });
      const { user, login } = await createUser(admin);
      const me = await loginAs(t.http, login, 'correct horse battery staple');
      const { secret } = (await me.post('/api/v1/users/current/2fa/setup', { currentPassword: 'correct horse battery staple' })).body;
      expect((await me.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);
      const claims = { email: user.email, email_verified: true };
      expect((await exchange(await idp.idToken(claims))).status).toBe(200);
      expect(statusAndCode(await exchange(await idp.idToken(claims), strict.alias))).toEqual([401, 'TOTP_REQUIRED']);
      const code = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
      expect((await exchange(await idp.idToken(claims), strict.alias, { totp: code })).status).toBe(200);
    });
  });

  describe("a user's linked identities", () => {
    it('are listed and unlinked by the user itself and by admins; anyone else gets 404', async () => {
      const { user } = await createUser(admin);
      const other = await createUser(admin);
      const session = await exchange(await idp.idToken({ email: user.email, email_verified: true }));
      const self = t.http.as(session.body.accessToken);
      const stranger = t.http.as((await exchange(await idp.idToken({ email: other.user.email, email_verified: true }))).body.accessToken);
      const path = `/api/v1/users/${user.id}/identities`;
      expect((await self.get(path)).body.rows).toHaveLength(1);
      expect(statusAndCode(await stranger.get(path))).toEqual([404, 'USER_NOT_FOUND']);
      expect(statusAndCode(await stranger.delete(`${path}/${alias}`))).toEqual([404, 'USER_NOT_FOUND']);
      expect((await self.delete(`${path}/${alias}`)).status).toBe(204);
      expect(statusAndCode(await self.delete(`${path}/${alias}`))).toEqual([404, 'FEDERATED_IDENTITY_NOT_FOUND']);
      expect((await self.get(path)).body.rows).toEqual([]);
      // The session it opened stays; signing in again links again.
      expect((await self.get('/api/v1/users/current')).status).toBe(200);
      expect((await exchange(await idp.idToken({ email: user.email, email_verified: true }))).status).toBe(200);
      expect((await admin.delete(`${path}/${alias}`)).status).toBe(204);
      expect(await lastEvent('FEDERATED_IDENTITY_UNLINKED', user.id)).toMatchObject({ details: { provider: alias } });
    });
  });
});
