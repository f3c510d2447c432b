import passport from 'passport';
import { authenticator } from 'otplib';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { TestIdentityProvider } from '../support/identity-provider';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Login methods are passport strategies (password, login token, an external
 * provider's ID token), and the rules of the credential lifecycle hold for
 * each of them alike because they all go through one place (LoginRules):
 * status, TOTP, lockout where it applies, and the audit trail.
 */
const PASSWORD = 'correct horse battery staple'; // createUser's default
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

describe('Login methods', () => {
  const idp = new TestIdentityProvider();
  let t: TestApp;
  let admin: HttpClient;
  let provider: string;

  beforeAll(async () => {
    await idp.start('ES256');
    t = await startTestApp({ env: { LOCKOUT_MAX_FAILURES: '2' } });
    admin = await loginAsAdmin(t.http);
    const created = await admin.post('/api/v1/identity-providers', { alias: unique('idp'), issuer: idp.issuer, clientId: idp.clientId });
    expect(created.status).toBe(201);
    provider = created.body.alias;
  });
  afterAll(async () => {
    await t.close();
    await idp.stop();
  });

  /** A user, a login token of its own, and the ID token its provider account would send. */
  async function userWithEveryCredential() {
    const { user, login } = await createUser(admin);
    const token = (await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 })).body.token as string;
    const idToken = () => idp.idToken({ sub: `sub-${user.id}`, email: user.email, email_verified: true });
    const attempts = {
      password: (extra: Record<string, unknown> = {}) => t.http.post('/api/v1/auth/login', { login, password: PASSWORD, ...extra }),
      'login-token': (extra: Record<string, unknown> = {}) => t.http.post('/api/v1/auth/login', { login, password: token, ...extra }),
      'federated-id-token': async (extra: Record<string, unknown> = {}) =>
        t.http.post('/api/v1/auth/token-exchange', { provider, subjectToken: await idToken(), subjectTokenType: ID_TOKEN_TYPE, ...extra }),
    };
    return { user, login, attempts };
  }

  const methodsOf = async (userId: string, type: string) =>
    (
      await sql(t.database.url, `SELECT outcome, details FROM audit_events WHERE type = $1 AND target_id = $2 ORDER BY id`, [type, userId])
    ).map((row) => `${row.details.method}:${row.outcome}:${row.details.reason ?? ''}`);

  it('opens sessions through each method, and records which one', async () => {
    const { user, attempts } = await userWithEveryCredential();
    for (const attempt of Object.values(attempts)) expect((await attempt()).status).toBe(200);
    expect(await methodsOf(user.id, 'LOGIN_SUCCEEDED')).toEqual([
      'password:success:',
      'login-token:success:',
      'federated-id-token:success:',
    ]);
  });

  it('refuses a disabled user whatever the method, and records each refusal', async () => {
    const { user, attempts } = await userWithEveryCredential();
    expect((await attempts['federated-id-token']()).status).toBe(200); // linked while ACTIVE
    const current = (await admin.get(`/api/v1/users/${user.id}`)).body;
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...current, status: 'DISABLED' })).status).toBe(200);
    const answers: Record<string, unknown> = {};
    for (const [method, attempt] of Object.entries(attempts)) {
      const response = await attempt();
      answers[method] = [response.status, response.body.code];
    }
    // Disabling ended the login token (the credential lifecycle): it is then a wrong password like any other.
    expect(answers).toEqual({
      password: [401, 'ACCOUNT_NOT_ACTIVE'],
      'login-token': [401, 'INVALID_CREDENTIALS'],
      'federated-id-token': [401, 'ACCOUNT_NOT_ACTIVE'],
    });
    expect(await methodsOf(user.id, 'LOGIN_FAILED')).toEqual([
      'password:denied:DISABLED',
      'password:failure:credentials',
      'federated-id-token:denied:DISABLED',
    ]);
  });

  it('asks for the TOTP code on the password and token paths; a provider sign-in suffices unless it requires it', async () => {
    const { user, login, attempts } = await userWithEveryCredential();
    const me = await loginAs(t.http, login, PASSWORD);
    const { secret } = (await me.post('/api/v1/users/current/2fa/setup', { currentPassword: PASSWORD })).body;
    expect((await me.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);
    // Enabling 2FA ended the login tokens minted before: a new one.
    const token = (await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 })).body.token;
    const viaToken = await t.http.post('/api/v1/auth/login', { login, password: token });
    expect([viaToken.status, viaToken.body.code]).toEqual([401, 'TOTP_REQUIRED']);
    const viaPassword = await attempts.password();
    expect([viaPassword.status, viaPassword.body.code]).toEqual([401, 'TOTP_REQUIRED']);
    expect((await attempts['federated-id-token']()).status).toBe(200);
  });

  it('locks password and token logins of a login after failures, never a provider sign-in', async () => {
    const { login, attempts } = await userWithEveryCredential();
    for (let i = 0; i < 2; i++) await t.http.post('/api/v1/auth/login', { login, password: 'wrong wrong wrong' });
    expect((await attempts.password()).status).toBe(429);
    expect((await attempts['login-token']()).status).toBe(429);
    expect((await attempts['federated-id-token']()).status).toBe(200);
  });

  it('validates the body before any method runs: nothing is checked, counted or recorded for a malformed attempt', async () => {
    const { user, login } = await userWithEveryCredential();
    const before = (await sql(t.database.url, 'SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1', [user.id]))[0].n;
    const malformed = [
      { login, password: PASSWORD, extra: true },
      { login, password: 42 },
      { login: '', password: PASSWORD },
    ];
    for (const body of malformed) {
      const response = await t.http.post('/api/v1/auth/login', body);
      expect([response.status, response.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const exchange = await t.http.post('/api/v1/auth/token-exchange', {
      provider,
      subjectToken: 'x',
      subjectTokenType: ID_TOKEN_TYPE,
      extra: 1,
    });
    expect([exchange.status, exchange.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await sql(t.database.url, 'SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1', [user.id]))[0].n).toBe(before);
    expect((await loginAs(t.http, login, PASSWORD)).tokens.accessToken).toEqual(expect.any(String)); // no failure was counted
  });

  it("registers each app's strategies on that app's own passport: two apps in one process keep their own", async () => {
    const second = await startTestApp();
    try {
      // Each app has its own database: a user of the first logs in there, and only there.
      const { login } = await createUser(admin);
      expect((await t.http.post('/api/v1/auth/login', { login, password: PASSWORD })).status).toBe(200);
      expect((await second.http.post('/api/v1/auth/login', { login, password: PASSWORD })).status).toBe(401);
      expect((passport as unknown as { _strategy(name: string): unknown })._strategy('password')).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});
