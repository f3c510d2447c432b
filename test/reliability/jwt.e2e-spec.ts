import { createHmac, randomUUID } from 'node:crypto';
import { figures } from '../support/figures';
import { HttpClient } from '../support/http';
import { linkIn, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin } from '../support/session';
import { startTestApp, TEST_ENV, TestApp } from '../support/test-app';

/**
 * Access JWTs the server must refuse (401) on every kind of protected route,
 * beside the alg-none, bad-signature and garbage cases of
 * test/identity/auth.e2e-spec.ts: other algorithms with the same secret,
 * tampered claims, expiry, issuer and audience, and tokens that were valid
 * until their user changed its password, was disabled or deleted.
 */
const SECRET = TEST_ENV.JWT_SECRET;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWT signed with HMAC (`hash` chooses HS256/384/512) whatever `alg` the header claims. */
function jwt(header: Record<string, unknown>, claims: Record<string, unknown>, key = SECRET, hash = 'sha256'): string {
  const input = `${b64({ typ: 'JWT', ...header })}.${b64(claims)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

/** The claims the server itself puts in an access token. */
function claims(userId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: userId, sv: 1, sid: randomUUID(), iss: 'careid', aud: 'careid-api', iat: now, exp: now + 600, ...extra };
}

/** The session id (`sid`) of an access token the server issued: crafted tokens reuse it to name a live session. */
const sidOf = (accessToken: string): string => JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).sid;

const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');

describe('Access JWTs: forged, stale and orphaned tokens get 401', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;
  let adminId: string;
  let tried = 0;
  let accepted = 0;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    admin = await loginAsAdmin(t.http);
    adminId = (await admin.get('/api/v1/users/current')).body.id;
  });
  afterAll(async () => {
    figures.record('access', 'forged and stale access JWTs', { tokensTried: tried, accepted });
    await t.close();
    await mail.stop();
  });

  /** The status of every kind of protected route (identity, permission-guarded, admin-only, write, event stream) with this token. */
  async function statusesWith(token: string, userId: string): Promise<number[]> {
    const client = t.http.as(token);
    const stream = new AbortController();
    const streamed = await fetch(`${t.baseUrl}/api/v1/notifications/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: stream.signal,
    });
    stream.abort();
    await streamed.body?.cancel().catch(() => undefined);
    const answers = [
      await client.get('/api/v1/users/current'),
      await client.get('/api/v1/practitioners?limit=1'),
      await client.get('/api/v1/audit-events?limit=1'),
      await client.put(`/api/v1/users/${userId}`, { rev: '1-00000000000000000000000000000000', name: 'Forged' }),
    ];
    return [...answers.map((a) => a.status), streamed.status];
  }

  async function expectRefused(cases: Record<string, { token: string; userId: string }>): Promise<void> {
    const results: Record<string, number[]> = {};
    for (const [name, { token, userId }] of Object.entries(cases)) {
      results[name] = await statusesWith(token, userId);
      tried += 1;
      if (results[name].some((status) => status !== 401)) accepted += 1;
    }
    expect(results).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, [401, 401, 401, 401, 401]])));
  }

  it('accepts a token crafted exactly as the server makes them (the control that the cases below can fail)', async () => {
    const { user, login, password } = await createUser(admin, { roles: ['ADMIN'] });
    const sid = sidOf((await loginAs(t.http, login, password)).tokens.accessToken);
    const token = jwt({ alg: 'HS256' }, claims(user.id, { sid }));
    expect(await statusesWith(token, user.id)).toEqual([200, 200, 200, 409, 200]);
    // The admin's own role comes from the database, not the token: a claim of it changes nothing either way.
    const adminSid = sidOf((admin as HttpClient & { tokens: { accessToken: string } }).tokens.accessToken);
    expect(await statusesWith(jwt({ alg: 'HS256' }, claims(adminId, { roles: [], sid: adminSid })), adminId)).toEqual([
      200, 200, 200, 409, 200,
    ]);
  });

  it("refuses a well-signed token naming a session that ended, that is unknown, or that is another user's", async () => {
    const { user, login, password } = await createUser(admin);
    const other = await createUser(admin);
    const ended = await loginAs(t.http, login, password);
    expect((await t.http.post('/api/v1/auth/logout', { refreshToken: ended.tokens.refreshToken })).status).toBe(204);
    const othersSid = sidOf((await loginAs(t.http, other.login, other.password)).tokens.accessToken);
    await expectRefused({
      'a logged-out session': { token: jwt({ alg: 'HS256' }, claims(user.id, { sid: sidOf(ended.tokens.accessToken) })), userId: user.id },
      'an unknown session': { token: jwt({ alg: 'HS256' }, claims(user.id, { sid: randomUUID() })), userId: user.id },
      "another user's live session": { token: jwt({ alg: 'HS256' }, claims(user.id, { sid: othersSid })), userId: user.id },
      'no session': { token: jwt({ alg: 'HS256' }, claims(user.id, { sid: undefined })), userId: user.id },
    });
  });

  it('refuses other algorithms, unsigned and tampered tokens, even when made with the right secret', async () => {
    const { user, login, password } = await createUser(admin);
    const real = (await loginAs(t.http, login, password)).tokens.accessToken as string;
    const [header, , signature] = real.split('.');
    const good = claims(user.id, { sid: sidOf(real) });
    await expectRefused({
      'HS512 with the secret': { token: jwt({ alg: 'HS512' }, good, SECRET, 'sha512'), userId: user.id },
      'HS384 with the secret': { token: jwt({ alg: 'HS384' }, good, SECRET, 'sha384'), userId: user.id },
      'RS256 header, HMAC of the secret (key confusion)': { token: jwt({ alg: 'RS256' }, good), userId: user.id },
      'ES256 header, HMAC of the secret': { token: jwt({ alg: 'ES256' }, good), userId: user.id },
      'alg None, empty signature': { token: `${b64({ alg: 'None', typ: 'JWT' })}.${b64(good)}.`, userId: user.id },
      'alg NONE, no signature part': { token: `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64(good)}`, userId: user.id },
      'HS256 with another secret': { token: jwt({ alg: 'HS256' }, good, 'not-the-secret-0123456789abcdef0123'), userId: user.id },
      'HS256 with an empty secret and a kid': { token: jwt({ alg: 'HS256', kid: '../../../dev/null' }, good, ''), userId: user.id },
      "a user's real token with the admin's id swapped in": {
        token: `${header}.${b64({ ...JSON.parse(Buffer.from(real.split('.')[1], 'base64url').toString()), sub: adminId })}.${signature}`,
        userId: adminId,
      },
      'a real token with its signature cut off': { token: real.split('.').slice(0, 2).join('.'), userId: user.id },
    });
  });

  it('refuses expired and not-yet-valid tokens, and wrong or missing issuer and audience', async () => {
    const { user, login, password } = await createUser(admin);
    const sid = sidOf((await loginAs(t.http, login, password)).tokens.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const signed = (extra: Record<string, unknown>) => ({
      token: jwt({ alg: 'HS256' }, claims(user.id, { sid, ...extra })),
      userId: user.id,
    });
    const without = (name: string) => {
      const body = claims(user.id, { sid });
      delete body[name];
      return { token: jwt({ alg: 'HS256' }, body), userId: user.id };
    };
    await expectRefused({
      'expired a minute ago': signed({ iat: now - 960, exp: now - 60 }),
      'expired a second ago': signed({ exp: now - 1 }),
      'not valid before an hour from now': signed({ nbf: now + 3600 }),
      'another issuer': signed({ iss: 'keycloak' }),
      'no issuer': without('iss'),
      'another audience': signed({ aud: 'careid-admin' }),
      'no audience': without('aud'),
      'a subject that is no user': signed({ sub: randomUUID() }),
      'no subject': without('sub'),
      'a numeric subject': signed({ sub: 1 }),
      'a session version as a string': signed({ sv: '1' }),
      'no session version': without('sv'),
      'a session version from the future': signed({ sv: 2 }),
    });
    const expired = await t.http.as(jwt({ alg: 'HS256' }, claims(user.id, { exp: now - 1 }))).get('/api/v1/users/current');
    expect(expired.body.code).toBe('ACCESS_TOKEN_EXPIRED');
  });

  it('refuses tokens issued before a password change, whoever changed it and however', async () => {
    const issued: Record<string, { token: string; userId: string; refresh: string; login: string; password: string }> = {};
    const session = async (name: string) => {
      const { user, login, password } = await createUser(admin);
      const client = await loginAs(t.http, login, password);
      issued[name] = { token: client.tokens.accessToken, refresh: client.tokens.refreshToken, userId: user.id, login, password };
      expect((await client.get('/api/v1/users/current')).status).toBe(200);
      return { user, client, password };
    };

    // Through another session of the user: the calling session stays, the others end.
    const self = await session('changed by the user itself');
    const otherSession = await loginAs(t.http, self.user.login, self.password);
    const changed = await otherSession.put(`/api/v1/users/${self.user.id}`, {
      ...self.user,
      passwordHash: 'my own new password',
      currentPassword: self.password,
    });
    expect(changed.status).toBe(200);
    issued['changed by the user itself'].password = 'my own new password';

    const byAdmin = await session('set by an admin');
    expect((await admin.put(`/api/v1/users/${byAdmin.user.id}`, { ...byAdmin.user, passwordHash: 'set by the admin' })).status).toBe(200);
    issued['set by an admin'].password = 'set by the admin';

    const reset = await session('reset through a mailed ticket');
    await t.http.post('/api/v1/auth/password-reset', { email: reset.user.email });
    const [message] = await mail.waitFor(reset.user.email);
    const ticket = ticketOf(linkIn(message.text, '/password-reset'));
    expect((await t.http.post('/api/v1/auth/password-reset/confirm', { ticket, password: 'chosen after a reset' })).status).toBe(204);
    issued['reset through a mailed ticket'].password = 'chosen after a reset';

    // A token crafted as the server would have made it before the change carries the old session version.
    const crafted = Object.fromEntries(
      Object.entries(issued).map(([name, { userId }]) => [
        `${name} (crafted, old version)`,
        { token: jwt({ alg: 'HS256' }, claims(userId)), userId },
      ]),
    );
    await expectRefused({ ...issued, ...crafted });
    for (const { refresh, login, password } of Object.values(issued)) {
      expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: refresh })).status).toBe(401);
      // The new password works: the refusals above are about the old tokens, not a broken account.
      expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(200);
    }
  });

  it('refuses tokens of a disabled user (also once enabled again) and of a deleted user, real or freshly crafted', async () => {
    const disabled = await createUser(admin);
    const deleted = await createUser(admin);
    const reenabled = await createUser(admin);
    const before = {
      disabled: (await loginAs(t.http, disabled.login, disabled.password)).tokens.accessToken,
      deleted: (await loginAs(t.http, deleted.login, deleted.password)).tokens.accessToken,
      reenabled: (await loginAs(t.http, reenabled.login, reenabled.password)).tokens.accessToken,
    };
    expect((await admin.put(`/api/v1/users/${disabled.user.id}`, { ...disabled.user, status: 'DISABLED' })).status).toBe(200);
    expect((await admin.delete(`/api/v1/users/${deleted.user.id}`)).status).toBe(200);
    const off = await admin.put(`/api/v1/users/${reenabled.user.id}`, { ...reenabled.user, status: 'DISABLED' });
    expect((await admin.put(`/api/v1/users/${reenabled.user.id}`, { ...off.body, status: 'ACTIVE' })).status).toBe(200);
    const sidNow = sidOf((await loginAs(t.http, reenabled.login, reenabled.password)).tokens.accessToken);

    await expectRefused({
      'disabled, issued before': { token: before.disabled, userId: disabled.user.id },
      'deleted, issued before': { token: before.deleted, userId: deleted.user.id },
      'disabled then enabled again, issued before': { token: before.reenabled, userId: reenabled.user.id },
      // With the session version the user has now (two status changes later): still no entry for the disabled and the deleted.
      'disabled, crafted now': { token: jwt({ alg: 'HS256' }, claims(disabled.user.id, { sv: 2 })), userId: disabled.user.id },
      'deleted, crafted now': { token: jwt({ alg: 'HS256' }, claims(deleted.user.id, { sv: 1 })), userId: deleted.user.id },
      'deleted, crafted with a later version': {
        token: jwt({ alg: 'HS256' }, claims(deleted.user.id, { sv: 2 })),
        userId: deleted.user.id,
      },
    });
    // The control: the re-enabled user's current version is accepted.
    const control = jwt({ alg: 'HS256' }, claims(reenabled.user.id, { sv: 3, sid: sidNow }));
    expect((await t.http.as(control).get('/api/v1/users/current')).status).toBe(200);
  });

  it('takes the access token only from the Authorization Bearer header, and no other secret as one', async () => {
    const { user, login, password } = await createUser(admin);
    const session = await loginAs(t.http, login, password);
    const access = session.tokens.accessToken as string;
    const loginToken = (await session.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 })).body.token as string;
    const elsewhere = [
      await t.http.get(`/api/v1/users/current?access_token=${access}`),
      await t.http.get('/api/v1/users/current', { headers: { cookie: `access_token=${access}; jwt=${access}` } }),
      await t.http.get('/api/v1/users/current', {
        headers: { authorization: `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}` },
      }),
      await t.http.get('/api/v1/users/current', { headers: { authorization: access } }),
      await t.http.get('/api/v1/users/current', { headers: { 'x-access-token': access } }),
    ];
    expect(elsewhere.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    await expectRefused({
      'the refresh token': { token: session.tokens.refreshToken, userId: user.id },
      'a login token': { token: loginToken, userId: user.id },
      'the password': { token: password, userId: user.id },
    });
    expect((await t.http.as(access).get('/api/v1/users/current')).status).toBe(200);
  });
});
