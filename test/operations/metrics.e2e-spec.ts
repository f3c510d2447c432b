import { randomUUID } from 'node:crypto';
import { freePort } from '../support/app-process';
import { openNotificationStream } from '../support/event-stream';
import { createUser, loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const METRICS_TOKEN = 'metrics-token-for-the-e2e-tests-0123';

/** The samples of a Prometheus text exposition: `name{labels} value` lines. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when there is none. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('Metrics: /metrics for Prometheus, behind METRICS_TOKEN', () => {
  let t: TestApp;
  const scrape = async () => {
    const response = await t.http.get('/metrics', { token: METRICS_TOKEN });
    expect(response.status).toBe(200);
    return response.text;
  };

  beforeAll(async () => {
    // Mail to a port nothing listens on: every delivery fails, and waits a long back-off before it is tried again.
    const closedPort = await freePort();
    t = await startTestApp({
      env: {
        METRICS_TOKEN,
        SMTP_URL: `smtp://127.0.0.1:${closedPort}`,
        OUTBOX_BASE_DELAY_MS: '600000',
        LOCKOUT_MAX_FAILURES: '2',
      },
    });
  });
  afterAll(() => t.close());

  it('answers only a scraper with the token: 401 problem+json without it, with a wrong one, or with a user’s access token', async () => {
    const admin = await loginAsAdmin(t.http);
    for (const response of [
      await t.http.get('/metrics'),
      await t.http.get('/metrics', { token: `${METRICS_TOKEN}x` }),
      await t.http.get('/metrics', { headers: { authorization: METRICS_TOKEN } }),
      await admin.get('/metrics'),
    ]) {
      expect([response.status, response.body.code]).toEqual([401, 'METRICS_TOKEN_REQUIRED']);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(response.text).not.toContain('careid_');
    }
    const allowed = await t.http.get('/metrics', { token: METRICS_TOKEN });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(allowed.text).toContain('# TYPE careid_http_request_duration_seconds histogram');
    expect(allowed.text).toContain('# TYPE process_cpu_seconds_total counter');
  });

  it('times requests by route pattern and status, never by raw URL', async () => {
    const admin = await loginAsAdmin(t.http);
    const id = randomUUID();
    const missing = `/no-such-page-${randomUUID()}`;
    const before = await scrape();
    const count = (text: string, route: string, status: string) =>
      valueOf(text, 'careid_http_request_duration_seconds_count', { method: 'GET', route, status }) ?? 0;
    expect((await admin.get(`/api/v1/users/${id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/users/${randomUUID()}`)).status).toBe(404);
    expect((await admin.get('/api/v1/users/current')).status).toBe(200);
    expect((await t.http.get(missing)).status).toBe(404);
    const after = await scrape();
    expect(count(after, '/api/v1/users/:id', '404') - count(before, '/api/v1/users/:id', '404')).toBe(2);
    expect(count(after, '/api/v1/users/current', '200') - count(before, '/api/v1/users/current', '200')).toBe(1);
    expect(count(after, '404', '404') - count(before, '404', '404')).toBe(1);
    expect(valueOf(after, 'careid_http_request_duration_seconds_bucket', { route: '/api/v1/users/:id', status: '404', le: '+Inf' })).toBe(
      count(after, '/api/v1/users/:id', '404'),
    );
    expect(after).not.toContain(id);
    expect(after).not.toContain(missing);
  });

  it('counts logins and token exchanges by method and outcome, and the failures that lock a login', async () => {
    const admin = await loginAsAdmin(t.http);
    const { login, password } = await createUser(admin);
    const before = await scrape();
    const logins = (text: string, outcome: string) => valueOf(text, 'careid_login_attempts_total', { method: 'password', outcome }) ?? 0;
    expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(200);
    expect((await t.http.post('/api/v1/auth/login', { login, password: 'not the password' })).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/login', { login, password: 'not the password' })).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(429);
    const exchange = { provider: 'no-such-provider', subjectToken: 'a.b.c', subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token' };
    expect((await t.http.post('/api/v1/auth/token-exchange', exchange)).body.code).toBe('UNKNOWN_IDENTITY_PROVIDER');
    const after = await scrape();
    const exchanges = (text: string) =>
      valueOf(text, 'careid_login_attempts_total', { method: 'federated-id-token', outcome: 'unknown_identity_provider' }) ?? 0;
    expect(exchanges(after) - exchanges(before)).toBe(1);
    expect(logins(after, 'success') - logins(before, 'success')).toBe(1);
    expect(logins(after, 'invalid_credentials') - logins(before, 'invalid_credentials')).toBe(2);
    expect(logins(after, 'login_locked') - logins(before, 'login_locked')).toBe(1);
    // LOCKOUT_MAX_FAILURES=2: the second failure locked the login.
    expect((valueOf(after, 'careid_login_lockouts_total') ?? 0) - (valueOf(before, 'careid_login_lockouts_total') ?? 0)).toBe(1);
  });

  it('shows the outbox’s depth and the age of its oldest message, and counts failed deliveries', async () => {
    const admin = await loginAsAdmin(t.http);
    const { user } = await createUser(admin);
    const before = await scrape();
    expect(valueOf(before, 'careid_outbox_queued_messages')).toBe(0);
    expect(valueOf(before, 'careid_outbox_oldest_message_age_seconds')).toBe(0);
    expect((await t.http.post('/api/v1/auth/password-reset', { email: user.email })).status).toBe(202);
    const failures = (text: string) => valueOf(text, 'careid_outbox_delivery_failures_total', { channel: 'email', final: 'false' }) ?? 0;
    let after = await scrape();
    for (const deadline = Date.now() + 10_000; failures(after) < 1 && Date.now() < deadline; after = await scrape()) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(failures(after)).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    after = await scrape();
    expect(valueOf(after, 'careid_outbox_queued_messages')).toBe(1);
    expect(valueOf(after, 'careid_outbox_oldest_message_age_seconds')).toBeGreaterThan(1);
  });

  it('shows the database pool’s connections and the open notification streams', async () => {
    const admin = await loginAsAdmin(t.http);
    const before = await scrape();
    expect(valueOf(before, 'careid_db_pool_connections')).toBeGreaterThan(0);
    expect(valueOf(before, 'careid_db_pool_idle_connections')).toBeLessThanOrEqual(valueOf(before, 'careid_db_pool_connections')!);
    expect(valueOf(before, 'careid_db_pool_waiting_queries')).toBe(0);
    expect(valueOf(before, 'careid_sse_connections')).toBe(0);
    const stream = await openNotificationStream(t.baseUrl, admin.defaultToken!);
    expect(stream.status).toBe(200);
    expect(valueOf(await scrape(), 'careid_sse_connections')).toBe(1);
    await stream.close();
    let open = valueOf(await scrape(), 'careid_sse_connections');
    for (
      const deadline = Date.now() + 5_000;
      open !== 0 && Date.now() < deadline;
      open = valueOf(await scrape(), 'careid_sse_connections')
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(open).toBe(0);
  });
});

describe('Metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves no /metrics route at all: 404, whatever the caller sends', async () => {
    expect((await t.http.get('/metrics')).status).toBe(404);
    expect((await t.http.get('/metrics', { token: METRICS_TOKEN })).status).toBe(404);
  });
});
