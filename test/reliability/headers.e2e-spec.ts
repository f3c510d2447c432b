import { figures } from '../support/figures';
import { HttpClient } from '../support/http';
import { loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const APP = 'https://app.example';
const EVIL = 'https://evil.example';

/** Sends a request with an Origin header; for the event stream, reads only the status line and headers. */
async function fromOrigin(t: TestApp, origin: string, method: string, path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(t.baseUrl + path, { method, headers: { origin, ...headers }, signal: controller.signal });
  controller.abort();
  await response.body?.cancel().catch(() => undefined);
  return response;
}

const preflight = (t: TestApp, origin: string, path: string, method = 'GET') =>
  fromOrigin(t, origin, 'OPTIONS', path, {
    'access-control-request-method': method,
    'access-control-request-headers': 'authorization,content-type',
  });

let checks = 0;
afterAll(() => figures.record('access', 'security headers and CORS', { answersChecked: checks }));

describe('Security headers and CORS', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { CORS_ORIGINS: `${APP},https://other.example`, AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  describe('CORS is limited to the configured origins', () => {
    const bearer = () => ({ authorization: `Bearer ${admin.defaultToken}` });

    it('answers a preflight from a configured origin, and none from another', async () => {
      for (const path of ['/api/v1/users/current', '/api/v1/patients', '/api/v1/auth/login']) {
        const allowed = await preflight(t, APP, path, path.endsWith('login') ? 'POST' : 'GET');
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
        expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
        expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
        const refused = await preflight(t, EVIL, path);
        expect(refused.status).toBe(404);
        expect([...refused.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
        checks += 2;
      }
    });

    it('lets the configured origin read answers, errors included, and exposes the request id and Retry-After', async () => {
      const cases = [
        { path: '/api/v1/users/current', headers: bearer(), status: 200 },
        { path: '/api/v1/users/current', headers: {}, status: 401 },
        { path: '/api/v1/no-such-route', headers: bearer(), status: 404 },
        { path: '/health/live', headers: {}, status: 200 },
      ];
      for (const { path, headers, status } of cases) {
        const allowed = await fromOrigin(t, APP, 'GET', path, headers);
        expect(allowed.status).toBe(status);
        expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
        expect(allowed.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
        expect(allowed.headers.get('vary')?.toLowerCase()).toContain('origin');
        const refused = await fromOrigin(t, EVIL, 'GET', path, headers);
        expect(refused.status).toBe(status);
        expect([...refused.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
        checks += 2;
      }
    });

    it('gives the event stream the same CORS answer as every other route', async () => {
      const allowed = await fromOrigin(t, APP, 'GET', '/api/v1/notifications/stream', bearer());
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(APP);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
      expect(allowed.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const refused = await fromOrigin(t, EVIL, 'GET', '/api/v1/notifications/stream', bearer());
      expect(refused.status).toBe(200);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      checks += 2;
    });

    it('lets the configured origin read a rate-limit refusal and its Retry-After', async () => {
      let limited: Response | undefined;
      for (let i = 0; i < 6 && !limited; i++) {
        const response = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: { origin: APP, 'content-type': 'application/json' },
          body: JSON.stringify({ login: 'nobody', password: 'not the password' }),
        });
        if (response.status === 429) limited = response;
      }
      expect(limited).toBeDefined();
      expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(limited!.headers.get('access-control-allow-origin')).toBe(APP);
      expect(limited!.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
      expect(limited!.headers.get('x-content-type-options')).toBe('nosniff');
      checks += 1;
    });
  });

  describe('the per-address limit on /api/v1/auth/*', () => {
    it('holds however the path is spelled', async () => {
      const login = (path: string) => t.http.post(path, { login: 'nobody', password: 'not the password' });
      for (let i = 0; i < 6 && (await login('/api/v1/auth/login')).status !== 429; i++);
      // The router decodes these to the auth routes; the limit must see them as such.
      const spellings = ['/api/v1/%61uth/login', '/api/v1/auth/%6cogin', '/api/v1/%61%75%74%68/refresh', '/api/v1/auth/password-rese%74'];
      const statuses = await Promise.all(spellings.map((path) => login(path).then((r) => r.status)));
      expect(statuses).toEqual([429, 429, 429, 429]);
      checks += spellings.length;
    });
  });

  describe('helmet', () => {
    it('sends its headers and no x-powered-by on every kind of answer', async () => {
      const answers = [
        await t.http.get('/health/live'),
        await admin.get('/api/v1/users/current'),
        await t.http.get('/api/v1/users/current'), // 401
        await admin.get('/api/v1/no-such-route'), // 404 from the router
        await admin.post('/api/v1/users', undefined, { raw: '{"login":' }), // 400 from the body parser
        await admin.post('/api/v1/users', undefined, { raw: JSON.stringify({ name: 'x'.repeat(1_100_000) }) }), // 413
        await t.http.get('/invitations/accept'),
        await t.http.get('/invitations/assets/set-password.css'),
        await t.http.get('/api/docs-json'),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404, 400, 413, 200, 200, 200]);
      for (const { headers } of answers) {
        expect(headers.get('x-powered-by')).toBeNull();
        expect(headers.get('x-content-type-options')).toBe('nosniff');
        expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(headers.get('referrer-policy')).toBe('no-referrer');
        expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        checks += 1;
      }
    });

    it('gives the set-password pages a strict CSP of their own, no referrer and no caching', async () => {
      for (const path of ['/invitations/accept', '/password-reset']) {
        const response = await t.http.get(path);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        const policy = response.headers.get('content-security-policy')!;
        // One policy (fetch would join two with ", "), and the page's own, not helmet's looser default.
        expect(policy).not.toContain(',');
        const directives = Object.fromEntries(
          policy.split(';').map((d) => {
            const [name, ...values] = d.trim().split(/\s+/);
            return [name, values.join(' ')];
          }),
        );
        expect(directives).toEqual({
          'default-src': "'none'",
          'script-src': "'self'",
          'style-src': "'self'",
          'connect-src': "'self'",
          'img-src': "'self'",
          'form-action': "'self'",
          'base-uri': "'none'",
          'frame-ancestors': "'none'",
        });
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('cache-control')).toBe('no-store');
        // The policy allows no inline code: the page has none, or it would not work.
        expect(response.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
        expect(response.text).not.toMatch(/\son[a-z]+=|\sstyle=|<style/i);
        checks += 1;
      }
    });
  });
});

// Its own app (CORS_ORIGINS unset), started once the first is closed.
describe('CORS without CORS_ORIGINS', () => {
  it('sends no CORS headers at all when CORS_ORIGINS is not set', async () => {
    const closed = await startTestApp();
    try {
      for (const origin of [APP, EVIL]) {
        expect((await preflight(closed, origin, '/api/v1/users/current')).headers.get('access-control-allow-origin')).toBeNull();
        expect((await fromOrigin(closed, origin, 'GET', '/health/live')).headers.get('access-control-allow-origin')).toBeNull();
        checks += 2;
      }
    } finally {
      await closed.close();
    }
  });
});
