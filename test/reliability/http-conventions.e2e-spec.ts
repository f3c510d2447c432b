import { HttpClient } from '../support/http';
import { createUser, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/** The contract's HTTP conventions: 405 with Allow, Location, ETag and conditional requests, no-store tokens, RateLimit fields. */
describe('HTTP conventions', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '50' } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  it('answers a wrong method on a known path with 405, its Allow and a problem, and an unknown path with 404', async () => {
    const { user } = await createUser(admin);
    const patch = await admin.request('PATCH', `/api/v1/users/${user.id}`, {});
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('DELETE, GET, HEAD, PUT');
    expect(patch.headers.get('content-type')).toContain('application/problem+json');
    expect(patch.body.code).toBe('METHOD_NOT_ALLOWED');

    const getLogin = await t.http.get('/api/v1/auth/login');
    expect(getLogin.status).toBe(405);
    expect(getLogin.headers.get('allow')).toBe('POST');

    expect((await admin.get('/api/v1/no-such-thing')).status).toBe(404);
    expect((await admin.request('PATCH', '/api/v1/no-such-thing', {})).status).toBe(404);
  });

  it('says where a created record lives', async () => {
    const login = unique('located');
    const created = await admin.post('/api/v1/users', { login, email: `${login}@hospital.care` });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/users/${created.body.id}`);
    expect((await admin.get(created.headers.get('location')!)).body.login).toBe(login);
  });

  it('tags a record with its rev, answers 304 to a matching If-None-Match, and the full record once it changed', async () => {
    const { user } = await createUser(admin);
    const read = await admin.get(`/api/v1/users/${user.id}`);
    const etag = read.headers.get('etag');
    expect(etag).toBe(`"${read.body.rev}"`);

    const unchanged = await admin.get(`/api/v1/users/${user.id}`, { headers: { 'if-none-match': etag! } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe('');

    await admin.put(`/api/v1/users/${user.id}`, { ...read.body, name: 'Changed' });
    const changed = await admin.get(`/api/v1/users/${user.id}`, { headers: { 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
    expect(changed.body.name).toBe('Changed');
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it("takes If-Match in place of the body's rev, refuses a stale one with 409 and a contradicting one with 412", async () => {
    const { user } = await createUser(admin);
    const read = await admin.get(`/api/v1/users/${user.id}`);
    const { rev, ...withoutRev } = read.body;

    const written = await admin.put(
      `/api/v1/users/${user.id}`,
      { ...withoutRev, name: 'By ETag' },
      { headers: { 'if-match': read.headers.get('etag')! } },
    );
    expect(written.status).toBe(200);
    expect(written.body.name).toBe('By ETag');

    const stale = await admin.put(`/api/v1/users/${user.id}`, { ...withoutRev, name: 'Late' }, { headers: { 'if-match': `"${rev}"` } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('REVISION_CONFLICT');

    const contradicting = await admin.put(
      `/api/v1/users/${user.id}`,
      { ...written.body, name: 'Both' },
      { headers: { 'if-match': `"${rev}"` } },
    );
    expect(contradicting.status).toBe(412);
    expect((await admin.get(`/api/v1/users/${user.id}`)).body.name).toBe('By ETag');
  });

  it('marks token answers no-store and sends the IETF RateLimit fields on rate-limited routes', async () => {
    const { login, password } = await createUser(admin);
    const answer = await t.http.post('/api/v1/auth/login', { login, password });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('ratelimit-policy')).toBe('"auth";q=50;w=60');
    expect(answer.headers.get('ratelimit')).toMatch(/^"auth";r=\d+;t=\d+$/);
    expect(answer.headers.get('ratelimit-limit')).toBe('50');
    expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
    const refreshed = await t.http.post('/api/v1/auth/refresh', { refreshToken: answer.body.refreshToken });
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    // Routes outside /auth are not rate limited and say nothing of it.
    expect((await admin.get('/api/v1/users/current')).headers.get('ratelimit')).toBeNull();
  });
});
