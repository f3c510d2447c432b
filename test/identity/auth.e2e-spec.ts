import { recordRace } from '../support/figures';
import { authenticator } from 'otplib';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Authentication', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({
      env: { LOCKOUT_MAX_FAILURES: '3', LOCKOUT_BASE_SECONDS: '1', LOCKOUT_MAX_SECONDS: '2', TOKEN_MAX_VALIDITY_SECONDS: '3600' },
    });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  it('logs in with a password: an access JWT and a refresh token', async () => {
    const { login, password } = await createUser(admin);
    const response = await t.http.post('/api/v1/auth/login', { login: login.toUpperCase(), password });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
      tokenType: 'Bearer',
    });
    expect(response.body.accessToken.split('.')).toHaveLength(3);
  });

  it('answers an unknown login and a wrong password alike', async () => {
    const { login } = await createUser(admin);
    const wrong = await t.http.post('/api/v1/auth/login', { login, password: 'not the password' });
    const unknown = await t.http.post('/api/v1/auth/login', { login: unique('ghost'), password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses disabled and registering users on the password path', async () => {
    const disabled = await createUser(admin, { status: 'DISABLED' });
    const registering = await createUser(admin, { status: 'REGISTERING' });
    for (const { login, password } of [disabled, registering]) {
      const response = await t.http.post('/api/v1/auth/login', { login, password });
      expect(response.status).toBe(401);
    }
  });

  describe('authentication tokens', () => {
    it('lets a user create a token for itself that works as a password until it expires', async () => {
      const { user, login, password } = await createUser(admin);
      const me = await loginAs(t.http, login, password);
      const created = await me.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 1 });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ token: expect.any(String), key: expect.any(String), expiresAt: expect.any(Number) });
      await loginAs(t.http, login, created.body.token);
      const listed = await me.get(`/api/v1/users/${user.id}/tokens`);
      expect(listed.body.rows).toHaveLength(1);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
      const shown = await me.get(`/api/v1/users/${user.id}`);
      expect(Object.keys(shown.body.authenticationTokens)).toEqual([created.body.key]);
      await sleep(1100);
      expect((await t.http.post('/api/v1/auth/login', { login, password: created.body.token })).status).toBe(401);
    });

    it('lets only admins create tokens for other users', async () => {
      const { login, password } = await createUser(admin);
      const other = (await createUser(admin)).user;
      const me = await loginAs(t.http, login, password);
      const response = await me.post(`/api/v1/users/${other.id}/tokens`, { validitySeconds: 60 });
      expect(response.status).toBe(403);
      const byAdmin = await admin.post(`/api/v1/users/${other.id}/tokens`, { validitySeconds: 60 });
      expect(byAdmin.status).toBe(201);
    });

    it('bounds the validity and stores only a hash', async () => {
      const { user } = await createUser(admin);
      expect((await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 0 })).status).toBe(400);
      const tooLong = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 3601 });
      expect(tooLong.body.code).toBe('INVALID_TOKEN_VALIDITY');
      const created = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
      const rows = await sql(t.database.url, 'SELECT encode(token_hash, $2) AS hash FROM user_tokens WHERE key = $1', [
        created.body.key,
        'escape',
      ]);
      expect(rows[0].hash).not.toContain(created.body.token);
    });

    it('revokes a token', async () => {
      const { user, login } = await createUser(admin);
      const created = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
      expect((await admin.delete(`/api/v1/users/${user.id}/tokens/${created.body.key}`)).status).toBe(204);
      expect((await t.http.post('/api/v1/auth/login', { login, password: created.body.token })).status).toBe(401);
      expect((await admin.delete(`/api/v1/users/${user.id}/tokens/${created.body.key}`)).status).toBe(404);
    });

    it('refuses a registering user whatever the credential, a password or a live token', async () => {
      const { user, login, password } = await createUser(admin, { status: 'REGISTERING' });
      const created = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
      expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/login', { login, password: created.body.token })).status).toBe(401);
    });
  });

  describe('refresh tokens', () => {
    it('rotate: the new pair works, the old refresh token does not', async () => {
      const { login, password } = await createUser(admin);
      const session = await loginAs(t.http, login, password);
      const first = session.tokens.refreshToken;
      const rotated = await t.http.post('/api/v1/auth/refresh', { refreshToken: first });
      expect(rotated.status).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(first);
      expect((await t.http.as(rotated.body.accessToken).get('/api/v1/users/current')).status).toBe(200);
      // Reusing the retired token revokes the whole family, including the token that replaced it.
      const reuse = await t.http.post('/api/v1/auth/refresh', { refreshToken: first });
      expect(reuse.status).toBe(401);
      expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: rotated.body.refreshToken })).status).toBe(401);
    });

    it('of concurrent refreshes with one token, exactly one succeeds', async () => {
      const { user, login, password } = await createUser(admin);
      const session = await loginAs(t.http, login, password);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.http.post('/api/v1/auth/refresh', { refreshToken: session.tokens.refreshToken })),
      );
      // The login's token and exactly one successor: no rotation lost, none issued twice.
      const [tokens] = await sql(t.database.url, 'SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1', [user.id]);
      recordRace(
        '10 concurrent refreshes with one refresh token',
        results.map((r) => r.status),
        { tokensIssued: tokens.n - 1, lost: Math.abs(tokens.n - 2) },
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 401)).toHaveLength(9);
      expect(tokens.n).toBe(2);
    });

    it('logout revokes the session', async () => {
      const { login, password } = await createUser(admin);
      const session = await loginAs(t.http, login, password);
      expect((await t.http.post('/api/v1/auth/logout', { refreshToken: session.tokens.refreshToken })).status).toBe(204);
      expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: session.tokens.refreshToken })).status).toBe(401);
    });
  });

  describe('lockout', () => {
    it('locks a login after consecutive failures, even for the right password, then releases it', async () => {
      const { login, password } = await createUser(admin);
      for (let i = 0; i < 3; i++) expect((await t.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' })).status).toBe(401);
      const locked = await t.http.post('/api/v1/auth/login', { login, password });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('LOGIN_LOCKED');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await sleep(1100);
      expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(200);
      // A success reset the count.
      expect((await t.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' })).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(200);
    });

    it('doubles the window on each further lock, up to the maximum', async () => {
      const { login, password } = await createUser(admin);
      for (let i = 0; i < 3; i++) await t.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' });
      await sleep(1100);
      const again = await t.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' });
      expect(again.status).toBe(401);
      const locked = await t.http.post('/api/v1/auth/login', { login, password });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBe(2);
    });

    it('locks unknown logins the same way (no enumeration through lockout)', async () => {
      const ghost = unique('ghost');
      for (let i = 0; i < 3; i++)
        expect((await t.http.post('/api/v1/auth/login', { login: ghost, password: 'whatever 123' })).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/login', { login: ghost, password: 'whatever 123' })).status).toBe(429);
    });

    it('counts concurrent failures without losing any, and the lock holds once they land', async () => {
      const { login, password } = await createUser(admin);
      const results = await Promise.all(
        Array.from({ length: 12 }, () => t.http.post('/api/v1/auth/login', { login: login.toUpperCase(), password: 'bad guess 123' })),
      );
      // Each attempt either was checked and counted as a failure (401) or met the lock the earlier ones set (429).
      const counted = results.filter((r) => r.status === 401).length;
      const refused = results.filter((r) => r.status === 429 && r.body.code === 'LOGIN_LOCKED').length;
      const rows = await sql(t.database.url, 'SELECT failures FROM login_failures WHERE login_key = $1', [login.toLowerCase()]);
      const stored = rows[0]?.failures ?? 0;
      recordRace(
        '12 concurrent failed logins (lockout counter)',
        results.map((r) => r.status),
        // lost: failures answered 401 but not counted, or counted twice
        { counted: stored, lockRefused: refused, lost: Math.abs(stored - counted) },
      );
      expect(counted + refused).toBe(12);
      expect(stored).toBe(counted);
      expect((await t.http.post('/api/v1/auth/login', { login, password })).body.code).toBe('LOGIN_LOCKED');
    });

    it('never locks out concurrent logins that succeed (a service logging in from several workers at once)', async () => {
      const { user, login, password } = await createUser(admin);
      const created = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
      const attempts = [
        ...Array.from({ length: 16 }, () => t.http.post('/api/v1/auth/login', { login, password: created.body.token })),
        ...Array.from({ length: 6 }, () => t.http.post('/api/v1/auth/login', { login, password })),
      ];
      expect((await Promise.all(attempts)).map((r) => r.status)).toEqual(Array(22).fill(200));
    });

    it('can be cleared by an admin', async () => {
      const { user, login, password } = await createUser(admin);
      for (let i = 0; i < 3; i++) await t.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' });
      expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(429);
      expect((await admin.delete(`/api/v1/users/${user.id}/lockout`)).status).toBe(204);
      expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(200);
    });

    it('also holds on the token path', async () => {
      const { user, login } = await createUser(admin);
      const created = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
      for (let i = 0; i < 3; i++) await t.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' });
      expect((await t.http.post('/api/v1/auth/login', { login, password: created.body.token })).status).toBe(429);
    });
  });

  describe('two-factor login', () => {
    it('enrols with a computed code, then requires a valid, unused code at login', async () => {
      const { login, password } = await createUser(admin);
      const me = await loginAs(t.http, login, password);
      const setup = await me.post('/api/v1/users/current/2fa/setup', { currentPassword: password });
      expect(setup.status).toBe(201);
      expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
      const secret = setup.body.secret;
      expect((await me.post('/api/v1/users/current/2fa/enable', { code: '000000' })).status).toBe(400);
      expect((await me.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);
      const shown = await me.get('/api/v1/users/current');
      expect(shown.body.use2fa).toBe(true);
      expect(JSON.stringify(shown.body)).not.toContain(secret);

      const without = await t.http.post('/api/v1/auth/login', { login, password });
      expect(without.status).toBe(401);
      expect(without.body.code).toBe('TOTP_REQUIRED');
      const wrong = await t.http.post('/api/v1/auth/login', {
        login,
        password,
        totp: authenticator.clone({ epoch: Date.now() + 300_000 }).generate(secret),
      });
      expect(wrong.body.code).toBe('TOTP_INVALID');
      // The enable step used up the current code; the next time step's code (within the accepted window) logs in once.
      const code = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
      expect((await t.http.post('/api/v1/auth/login', { login, password, totp: code })).status).toBe(200);
      const replay = await t.http.post('/api/v1/auth/login', { login, password, totp: code });
      expect(replay.body.code).toBe('TOTP_INVALID');
    });
  });

  describe('changes take effect at once', () => {
    it('refuses access tokens after disable, role change and delete', async () => {
      for (const change of ['disable', 'roles', 'delete'] as const) {
        const { user, login, password } = await createUser(admin);
        const me = await loginAs(t.http, login, password);
        expect((await me.get('/api/v1/users/current')).status).toBe(200);
        if (change === 'disable') await admin.put(`/api/v1/users/${user.id}`, { ...user, status: 'DISABLED' });
        if (change === 'roles') await admin.put(`/api/v1/users/${user.id}`, { ...user, roles: ['AUDITOR'] });
        if (change === 'delete') await admin.delete(`/api/v1/users/${user.id}`);
        const after = await me.get('/api/v1/users/current');
        expect(after.status).toBe(401);
        expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: me.tokens.refreshToken })).status).toBe(401);
      }
    });
  });

  describe('forged access tokens', () => {
    it('refuses alg none, a wrong signature and garbage', async () => {
      const { login, password } = await createUser(admin);
      const me = await loginAs(t.http, login, password);
      const [, payload] = me.tokens.accessToken.split('.');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const resigned = `${me.tokens.accessToken.split('.').slice(0, 2).join('.')}.${Buffer.from('x'.repeat(32)).toString('base64url')}`;
      for (const token of [none, resigned, 'garbage']) expect((await t.http.as(token).get('/api/v1/users/current')).status).toBe(401);
    });
  });
});

describe('Sessions: idle and absolute lifetimes', () => {
  // Each test starts its own app with the lifetimes it is about, one after the other.
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('expires a refresh token left idle', async () => {
    t = await startTestApp({ env: { REFRESH_IDLE_SECONDS: '1', ACCESS_TOKEN_SECONDS: '1' } });
    const admin = await loginAsAdmin(t.http);
    const { login, password } = await createUser(admin);
    const session = await loginAs(t.http, login, password);
    await sleep(2100);
    expect((await session.get('/api/v1/users/current')).body.code).toBe('ACCESS_TOKEN_EXPIRED');
    const refreshed = await t.http.post('/api/v1/auth/refresh', { refreshToken: session.tokens.refreshToken });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('SESSION_EXPIRED');
  });

  it('ends a session that keeps refreshing once its absolute lifetime is over', async () => {
    // Idle timeout far away (and every refresh resets it): only the absolute lifetime can end this session.
    t = await startTestApp({ env: { REFRESH_IDLE_SECONDS: '600', REFRESH_ABSOLUTE_SECONDS: '3' } });
    const admin = await loginAsAdmin(t.http);
    const { login, password } = await createUser(admin);
    const startedBefore = Date.now();
    const session = await loginAs(t.http, login, password);
    const startedAfter = Date.now();
    let refreshToken = session.tokens.refreshToken;
    let refreshes = 0;
    // Well inside the 3 s lifetime: every refresh rotates and works.
    while (Date.now() - startedAfter < 1500) {
      await sleep(250);
      const refreshed = await t.http.post('/api/v1/auth/refresh', { refreshToken });
      expect(refreshed.status).toBe(200);
      expect((await t.http.as(refreshed.body.accessToken).get('/api/v1/users/current')).status).toBe(200);
      refreshToken = refreshed.body.refreshToken;
      refreshes += 1;
    }
    expect(refreshes).toBeGreaterThanOrEqual(3);
    // Past the lifetime counted from the login, though the last refresh is recent.
    await sleep(Math.max(0, startedBefore + 3300 - Date.now()));
    const late = await t.http.post('/api/v1/auth/refresh', { refreshToken });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('SESSION_EXPIRED');
    // The family is revoked, not just refused this once; a new login starts a new session.
    expect((await t.http.post('/api/v1/auth/refresh', { refreshToken })).status).toBe(401);
    const again = await loginAs(t.http, login, password);
    expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: again.tokens.refreshToken })).status).toBe(200);
  });
});
