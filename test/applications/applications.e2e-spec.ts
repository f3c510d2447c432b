import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const PORTAL = { name: 'Patient portal', type: 'public', redirectUris: ['https://portal.example/callback'] };

describe('Applications (OAuth clients registered by admins)', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  it('registers a public application with every scope by default and no secret', async () => {
    const created = await admin.post('/api/v1/applications', PORTAL);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      rev: expect.stringMatching(/^1-[0-9a-f]{32}$/),
      clientId: expect.stringMatching(/^careid-[A-Za-z0-9_-]{16}$/),
      name: 'Patient portal',
      type: 'public',
      redirectUris: ['https://portal.example/callback'],
      postLogoutRedirectUris: [],
      allowedScopes: ['openid', 'profile', 'email', 'offline_access'],
      created: expect.any(Number),
      modified: created.body.created,
    });
    expect((await admin.get(`/api/v1/applications/${created.body.id}`)).body).toEqual(created.body);
  });

  it('shows a confidential application its secret once, stores it sealed, and rotates it', async () => {
    const created = await admin.post('/api/v1/applications', { ...PORTAL, name: 'Clinic back office', type: 'confidential' });
    expect(created.status).toBe(201);
    const secret: string = created.body.clientSecret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await admin.get(`/api/v1/applications/${created.body.id}`)).body.clientSecret).toBeUndefined();
    const [stored] = await sql(t.database.url, 'SELECT client_secret FROM applications WHERE id = $1', [created.body.id]);
    expect(stored.client_secret).toMatch(/^enc:v1:/);
    expect(stored.client_secret).not.toContain(secret);

    const rotated = await admin.post(`/api/v1/applications/${created.body.id}/client-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.body.clientSecret).not.toBe(secret);
    expect(rotated.body.rev).toMatch(/^2-/);

    const publicOne = await admin.post('/api/v1/applications', PORTAL);
    const refused = await admin.post(`/api/v1/applications/${publicOne.body.id}/client-secret`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('NOT_CONFIDENTIAL');
  });

  it.each([
    ['http off loopback', 'http://portal.example/callback'],
    ['a fragment', 'https://portal.example/callback#x'],
    ['credentials', 'https://user:pw@portal.example/callback'],
    ['a script scheme', 'javascript:alert(1)'],
    ['a relative URI', '/callback'],
  ])('refuses a redirect URI with %s', async (_, uri) => {
    const response = await admin.post('/api/v1/applications', { ...PORTAL, redirectUris: [uri] });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(response.body.errors)).toContain('redirectUris');
  });

  it('accepts loopback http and a native app scheme, and refuses an empty list and unknown scopes', async () => {
    const native = await admin.post('/api/v1/applications', {
      ...PORTAL,
      redirectUris: ['http://127.0.0.1:8123/cb', 'http://localhost/cb', 'com.example.careapp:/oauth'],
    });
    expect(native.status).toBe(201);
    expect((await admin.post('/api/v1/applications', { ...PORTAL, redirectUris: [] })).status).toBe(400);
    expect((await admin.post('/api/v1/applications', { ...PORTAL, allowedScopes: ['openid', 'admin'] })).status).toBe(400);
    expect((await admin.post('/api/v1/applications', { ...PORTAL, secretSauce: true })).status).toBe(400);
  });

  it('modifies by round-trip with rev, refuses a stale rev and a type change, and deletes', async () => {
    const created = (await admin.post('/api/v1/applications', PORTAL)).body;
    const changed = await admin.put(`/api/v1/applications/${created.id}`, {
      ...created,
      name: 'Portal v2',
      redirectUris: ['https://portal.example/v2/callback'],
      allowedScopes: ['openid'],
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Portal v2',
      redirectUris: ['https://portal.example/v2/callback'],
      allowedScopes: ['openid'],
      clientId: created.clientId,
    });
    expect(changed.body.rev).toMatch(/^2-/);

    const stale = await admin.put(`/api/v1/applications/${created.id}`, { ...created, name: 'Late' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('REVISION_CONFLICT');
    const typeChange = await admin.put(`/api/v1/applications/${created.id}`, { ...changed.body, type: 'confidential' });
    expect(typeChange.status).toBe(400);
    expect(typeChange.body.code).toBe('APPLICATION_TYPE_IMMUTABLE');
    const noRev = await admin.put(`/api/v1/applications/${created.id}`, { ...changed.body, rev: undefined });
    expect(noRev.body.code).toBe('REV_REQUIRED');

    expect((await admin.delete(`/api/v1/applications/${created.id}`)).status).toBe(200);
    const gone = await admin.get(`/api/v1/applications/${created.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('APPLICATION_NOT_FOUND');
  });

  it('lists by name with keyset pages', async () => {
    for (const name of ['zz-a', 'zz-b', 'zz-c']) await admin.post('/api/v1/applications', { ...PORTAL, name });
    const first = await admin.get('/api/v1/applications?limit=2');
    expect(first.status).toBe(200);
    const names: string[] = [];
    let page = first.body;
    for (;;) {
      names.push(...page.rows.map((row: { name: string }) => row.name));
      if (!page.nextCursor) break;
      page = (await admin.get(`/api/v1/applications?limit=2&cursor=${page.nextCursor}`)).body;
    }
    expect(names).toEqual([...names].sort());
    expect(names.filter((name) => name.startsWith('zz-'))).toEqual(['zz-a', 'zz-b', 'zz-c']);
  });

  it('is for admins only', async () => {
    const { login, password } = await createUser(admin, {});
    const plain = await loginAs(t.http, login, password);
    expect((await plain.get('/api/v1/applications')).status).toBe(403);
    expect((await plain.post('/api/v1/applications', PORTAL)).status).toBe(403);
    expect((await t.http.get('/api/v1/applications')).status).toBe(401);
  });
});
