import { authenticator } from 'otplib';
import { sql } from '../support/db';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';

describe('Seeded admin', () => {
  it('exists with role ADMIN, is never duplicated and keeps its password across restarts', async () => {
    const first = await startTestApp();
    const database = first.database;
    try {
      const admin = await loginAsAdmin(first.http);
      const me = await admin.get('/api/v1/users/current');
      expect(me.body.roles).toContain('ADMIN');
      await first.app.close();

      // Two instances starting together on the same database, with another ADMIN_PASSWORD.
      const [a, b] = await Promise.all([
        startTestApp({ database, env: { ADMIN_PASSWORD: 'a-different-password' } }),
        startTestApp({ database, env: { ADMIN_PASSWORD: 'a-different-password' } }),
      ]);
      await loginAs(a.http, TEST_ADMIN.login, TEST_ADMIN.password);
      expect((await a.http.post('/api/v1/auth/login', { login: TEST_ADMIN.login, password: 'a-different-password' })).status).toBe(401);
      const admins = await sql(database.url, 'SELECT count(*)::int AS n FROM users WHERE login_key = $1', [TEST_ADMIN.login]);
      expect(admins[0].n).toBe(1);
      await a.app.close();
      await b.app.close();
    } finally {
      await first.close();
    }
  });
});

describe('Seeded admin, kept by id', () => {
  it('never promotes an existing user whose login is ADMIN_LOGIN: start-up stops with a message', async () => {
    const first = await startTestApp();
    try {
      const { user, login } = await createUser(await loginAsAdmin(first.http));
      await first.app.close();
      const refused = await startTestApp({ database: first.database, env: { ADMIN_LOGIN: login } }).then(
        async (app) => {
          await app.app.close();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(refused).toContain(`ADMIN_LOGIN "${login}" belongs to an existing user (${user.id}) that the admin seeder did not create`);
      const rows = await sql(first.database.url, 'SELECT roles FROM users WHERE id = $1', [user.id]);
      expect(rows[0].roles).toEqual([]);
    } finally {
      await first.close();
    }
  });

  it('is the user it created, not whoever takes its login later: a restart stops and promotes no one', async () => {
    const first = await startTestApp();
    try {
      const admin = await loginAsAdmin(first.http);
      const seeded = (await admin.get('/api/v1/users/current')).body;
      // The seeded admin changes its login; another user takes the old one.
      const newLogin = unique('chief');
      expect((await admin.put(`/api/v1/users/${seeded.id}`, { ...seeded, login: newLogin })).status).toBe(200);
      const { user: holder } = await createUser(await loginAs(first.http, newLogin, TEST_ADMIN.password), { login: TEST_ADMIN.login });
      await first.app.close();

      const refused = await startTestApp({ database: first.database }).then(
        async (app) => {
          await app.app.close();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(refused).toContain(`ADMIN_LOGIN "${TEST_ADMIN.login}" belongs to an existing user (${holder.id})`);
      const rows = await sql(first.database.url, 'SELECT id, roles FROM users WHERE id = ANY($1)', [[seeded.id, holder.id]]);
      expect(Object.fromEntries(rows.map((row) => [row.id, row.roles]))).toEqual({ [seeded.id]: ['ADMIN'], [holder.id]: [] });
      // With ADMIN_LOGIN set to the seeded admin's new login, it starts again.
      const third = await startTestApp({ database: first.database, env: { ADMIN_LOGIN: newLogin } });
      await third.app.close();
    } finally {
      await first.close();
    }
  });
});

describe('Seeded admin, from before it was kept by id', () => {
  it('records the ADMIN holding ADMIN_LOGIN as the seeded admin, once, and starts', async () => {
    const first = await startTestApp();
    try {
      const seeded = (await (await loginAsAdmin(first.http)).get('/api/v1/users/current')).body;
      await first.app.close();
      await sql(first.database.url, 'DELETE FROM seeded_admin');
      const second = await startTestApp({ database: first.database });
      await second.app.close();
      expect(await sql(first.database.url, 'SELECT user_id FROM seeded_admin')).toEqual([{ user_id: seeded.id }]);
    } finally {
      await first.close();
    }
  });
});

describe('Production defaults', () => {
  it('hashes passwords with bcrypt cost 12 when BCRYPT_COST is not set', async () => {
    const t = await startTestApp({
      env: {
        NODE_ENV: 'production',
        BCRYPT_COST: undefined,
        ADMIN_PASSWORD: 'a-strong-production-password',
        JWT_SECRET: 'p'.repeat(48),
        DATA_ENCRYPTION_KEY: 'a1'.repeat(32),
        PUBLIC_URL: 'https://id.example',
      },
    });
    try {
      const admin = await loginAs(t.http, TEST_ADMIN.login, 'a-strong-production-password');
      const { user } = await createUser(admin);
      const rows = await sql(t.database.url, 'SELECT password_hash FROM users WHERE id = $1', [user.id]);
      expect(rows[0].password_hash).toMatch(/^\$2b\$12\$/);
    } finally {
      await t.close();
    }
  });
});

describe('Audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('records logins, token and user changes with actor, address and outcome; admins list them', async () => {
    const admin = await loginAsAdmin(t.http);
    const { user, login, password } = await createUser(admin);
    await t.http.post('/api/v1/auth/login', { login, password: 'wrong wrong wrong' });
    const me = await loginAs(t.http, login, password);
    const token = await me.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
    await me.delete(`/api/v1/users/${user.id}/tokens/${token.body.key}`);
    await admin.put(`/api/v1/users/${user.id}`, { ...user, roles: ['AUDITOR'], status: 'DISABLED' });
    await admin.delete(`/api/v1/users/${user.id}`);

    const events = await admin.get(`/api/v1/audit-events?target=${user.id}&limit=100`);
    expect(events.status).toBe(200);
    const types = events.body.rows.map((e: { type: string }) => e.type);
    for (const type of [
      'USER_CREATED',
      'LOGIN_FAILED',
      'LOGIN_SUCCEEDED',
      'TOKEN_CREATED',
      'TOKEN_REVOKED',
      'USER_MODIFIED',
      'USER_ROLES_CHANGED',
      'USER_STATUS_CHANGED',
      'USER_DELETED',
    ]) {
      expect(types).toContain(type);
    }
    const failed = events.body.rows.find((e: { type: string }) => e.type === 'LOGIN_FAILED');
    expect(failed).toMatchObject({ outcome: 'failure', ip: '127.0.0.1' });
    const tokenCreated = events.body.rows.find((e: { type: string }) => e.type === 'TOKEN_CREATED');
    expect(tokenCreated.actorId).toBe(user.id);
    expect(tokenCreated.requestId).toEqual(expect.any(String));
    expect(JSON.stringify(events.body)).not.toContain(token.body.token);

    // Newest first by the numeric id, also where ids pass from one digit to two (9 before 10 would be text order).
    const ids = (await admin.get('/api/v1/audit-events?limit=100')).body.rows.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual(expect.arrayContaining([9, 10]));
    expect(ids).toEqual([...ids].sort((x, y) => y - x));

    const byType = await admin.get('/api/v1/audit-events?type=LOGIN_FAILED');
    expect(byType.body.rows.every((e: { type: string }) => e.type === 'LOGIN_FAILED')).toBe(true);
    expect((await me.get('/api/v1/audit-events')).status).toBe(401); // the user was deleted meanwhile
    const plain = await createUser(admin);
    expect((await (await loginAs(t.http, plain.login, plain.password)).get('/api/v1/audit-events')).status).toBe(403);
  });

  it('records turning two-factor login on and off, by the user, without the secret or a code', async () => {
    const admin = await loginAsAdmin(t.http);
    const { user, login, password } = await createUser(admin);
    const me = await loginAs(t.http, login, password);
    const setup = await me.post('/api/v1/users/current/2fa/setup', { currentPassword: password });
    const enableCode = authenticator.generate(setup.body.secret);
    expect((await me.post('/api/v1/users/current/2fa/enable', { code: enableCode })).status).toBe(204);
    // The enable step used up the current code; the next time step's code (within the accepted window) turns it off.
    const disableCode = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(setup.body.secret);
    expect((await me.post('/api/v1/users/current/2fa/disable', { code: disableCode, currentPassword: password })).status).toBe(204);
    expect((await me.get('/api/v1/users/current')).body.use2fa).toBe(false);

    const events = await admin.get(`/api/v1/audit-events?target=${user.id}&limit=100`);
    expect(events.status).toBe(200);
    const totp = events.body.rows.filter((e: { type: string }) => e.type.startsWith('TOTP_'));
    // Newest first.
    expect(totp.map((e: { type: string }) => e.type)).toEqual(['TOTP_DISABLED', 'TOTP_ENABLED', 'TOTP_SETUP_STARTED']);
    for (const event of totp) expect(event).toMatchObject({ actorId: user.id, targetType: 'User', outcome: 'success', ip: '127.0.0.1' });
    const text = JSON.stringify(events.body);
    for (const secret of [setup.body.secret, password]) expect(text).not.toContain(secret);
    // Six digits could turn up in a timestamp by chance: look for the codes where an event says what happened.
    const details = JSON.stringify(events.body.rows.map((e: { details: unknown }) => e.details));
    for (const code of [enableCode, disableCode]) expect(details).not.toContain(code);
    const disabled = await admin.get(`/api/v1/audit-events?type=TOTP_DISABLED&actor=${user.id}`);
    expect(disabled.body.rows).toHaveLength(1);
  });

  it('is append-only, enforced by PostgreSQL', async () => {
    await expect(sql(t.database.url, 'UPDATE audit_events SET type = $1', ['TAMPERED'])).rejects.toThrow(/append-only/);
    await expect(sql(t.database.url, 'DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(sql(t.database.url, 'TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });
});

describe('Secrets stay secret', () => {
  it('never shows a password, its hash, a token or a TOTP secret in any response or log line', async () => {
    const t = await startTestApp();
    try {
      const admin = await loginAsAdmin(t.http);
      const password = `pw-${unique()}-secret`;
      const { user, login } = await createUser(admin, { passwordHash: password });
      const responses: string[] = [];
      const me = await loginAs(t.http, login, password);
      responses.push(JSON.stringify(me.tokens));
      responses.push((await admin.get(`/api/v1/users/${user.id}`)).text);
      responses.push((await admin.get(`/api/v1/users?ids=${user.id}`)).text);
      responses.push((await admin.put(`/api/v1/users/${user.id}`, { ...user, passwordHash: `${password}-2` })).text);
      const session = await loginAs(t.http, login, `${password}-2`);
      const token = await session.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 60 });
      const totp = await session.post('/api/v1/users/current/2fa/setup', { currentPassword: `${password}-2` });
      responses.push((await session.get('/api/v1/users/current')).text);
      responses.push((await admin.get('/api/v1/audit-events?limit=1000')).text);
      await t.http.post('/api/v1/auth/login', { login, password: `${password}-wrong` });

      const hashes = await sql(t.database.url, 'SELECT password_hash FROM users WHERE id = $1', [user.id]);
      const secrets = [password, `${password}-2`, hashes[0].password_hash, token.body.token, totp.body.secret, session.tokens.refreshToken];
      const everything = [...responses, t.logText()].join('\n');
      for (const secret of secrets) expect(everything).not.toContain(secret);
      expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);
      expect(t.logs.length).toBeGreaterThan(5);
    } finally {
      await t.close();
    }
  });
});

describe('Audit trail: the client address behind a proxy', () => {
  const forwardedLoginFailure = async (env: Record<string, string>) => {
    const t = await startTestApp({ env });
    try {
      const login = unique('behind-proxy');
      await t.http.post('/api/v1/auth/login', { login, password: 'wrong password 123' }, { headers: { 'x-forwarded-for': '203.0.113.7' } });
      const rows = await sql(t.database.url, "SELECT ip FROM audit_events WHERE type = 'LOGIN_FAILED' ORDER BY id DESC LIMIT 1");
      return rows[0]?.ip;
    } finally {
      await t.close();
    }
  };

  it("records X-Forwarded-For's client only when the proxy is trusted (TRUST_PROXY)", async () => {
    expect(await forwardedLoginFailure({ TRUST_PROXY: 'loopback' })).toBe('203.0.113.7');
    // Untrusted by default: a client cannot choose the address it is recorded under.
    expect(await forwardedLoginFailure({})).toBe('127.0.0.1');
  });
});
