import { recordRace } from '../support/figures';
import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

describe('Users', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  it('creates a user as in the seed: password masked, rev 1-, server fields filled', async () => {
    const login = unique('john');
    const response = await admin.post('/api/v1/users', {
      login,
      email: `${login}@hospital.care`,
      passwordHash: 'correct horse battery staple',
    });
    expect(response.status).toBe(201);
    const user = response.body;
    expect(user).toMatchObject({
      login,
      email: `${login}@hospital.care`,
      passwordHash: '*',
      properties: {},
      roles: [],
      groupId: 'default',
      sharingDataWith: {},
      authenticationTokens: {},
      status: 'ACTIVE',
    });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(user.rev).toMatch(/^1-[0-9a-f]{32}$/);
    expect(typeof user.created).toBe('number');
    expect(user.secret).toBeUndefined();
  });

  it('accepts a client-chosen id', async () => {
    const id = '1ad0454d-0554-4008-ac05-80c5cf847ad1';
    const { user } = await createUser(admin, { id });
    expect(user.id).toBe(id);
  });

  it('rejects a second user with the same login in another case, or the same email, with 400 codes', async () => {
    const { login } = await createUser(admin);
    const sameLogin = await admin.post('/api/v1/users', { login: `  ${login.toUpperCase()} `, passwordHash: 'another good password' });
    expect(sameLogin.status).toBe(400);
    expect(sameLogin.body.code).toBe('DUPLICATE_LOGIN');
    const sameEmail = await admin.post('/api/v1/users', { login: unique(), email: `${login.toUpperCase()}@HOSPITAL.care` });
    expect(sameEmail.status).toBe(400);
    expect(sameEmail.body.code).toBe('DUPLICATE_EMAIL');
  });

  it('ends 50 concurrent creates of one login with exactly one user', async () => {
    const login = unique('race');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        admin.post('/api/v1/users', { login: i % 2 ? login : login.toUpperCase(), email: `${login}${i}@x.org` }),
      ),
    );
    const statuses = results.map((r) => r.status);
    const count = await admin.get(`/api/v1/users/count?q=${login}`);
    recordRace('50 concurrent creates of one login (mixed case)', statuses, {
      rowsAfter: count.body.count,
      lost: Math.abs(count.body.count - 1), // no row, or duplicates
    });
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(49);
    for (const r of results.filter((r) => r.status === 400)) expect(r.body.code).toBe('DUPLICATE_LOGIN');
    expect(count.body.count).toBe(1);
  });

  it('ends 50 concurrent creates of one email in mixed case with exactly one user', async () => {
    const email = `${unique('mail')}@Clinic.org`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        admin.post('/api/v1/users', { login: unique('l'), email: i % 2 ? email.toUpperCase() : email.toLowerCase() }),
      ),
    );
    const rows = await admin.get(`/api/v1/users/count?q=${email.split('@')[0].toLowerCase()}`);
    recordRace(
      '50 concurrent creates of one email (mixed case)',
      results.map((r) => r.status),
      { rowsAfter: rows.body.count, lost: Math.abs(rows.body.count - 1) }, // no row, or duplicates
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.body.code === 'DUPLICATE_EMAIL')).toHaveLength(49);
    expect(rows.body.count).toBe(1);
  });

  it('rejects malformed emails and weak passwords', async () => {
    const badEmail = await admin.post('/api/v1/users', { login: unique(), email: 'not-an-email' });
    expect(badEmail.body.code).toBe('INVALID_EMAIL');
    const short = await admin.post('/api/v1/users', { login: unique(), passwordHash: 'short' });
    expect(short.body.code).toBe('PASSWORD_TOO_SHORT');
    const long = await admin.post('/api/v1/users', { login: unique(), passwordHash: 'é'.repeat(40) });
    expect(long.body.code).toBe('PASSWORD_TOO_LONG');
    const login = unique('same');
    const asLogin = await admin.post('/api/v1/users', { login, passwordHash: login.toUpperCase() });
    expect(asLogin.body.code).toBe('PASSWORD_EQUALS_LOGIN');
  });

  it('rejects unknown properties', async () => {
    const response = await admin.post('/api/v1/users', { login: unique(), isSuperUser: true });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors[0].field).toBe('isSuperUser');
  });

  it('modifies with rev: the seed round trip keeps the password unless changed, rev grows', async () => {
    const { user, login } = await createUser(admin);
    const loaded = (await admin.get(`/api/v1/users/${user.id}`)).body;
    const roundTrip = await admin.put(`/api/v1/users/${user.id}`, { ...loaded, name: 'John' });
    expect(roundTrip.status).toBe(200);
    expect(roundTrip.body.rev).toMatch(/^2-/);
    expect(roundTrip.body.name).toBe('John');
    await loginAs(t.http, login, 'correct horse battery staple'); // "*" kept the password

    const changed = await admin.put(`/api/v1/users/${user.id}`, { ...roundTrip.body, passwordHash: 'wrong horse battery staple' });
    expect(changed.status).toBe(200);
    expect(changed.body.rev).toMatch(/^3-/);
    expect(changed.body.passwordHash).toBe('*');
    await loginAs(t.http, login, 'wrong horse battery staple');
    expect((await t.http.post('/api/v1/auth/login', { login, password: 'correct horse battery staple' })).status).toBe(401);
  });

  it('answers a stale rev with 409 REVISION_CONFLICT', async () => {
    const { user } = await createUser(admin);
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...user, name: 'A' })).status).toBe(200);
    const stale = await admin.put(`/api/v1/users/${user.id}`, { ...user, name: 'B' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('REVISION_CONFLICT');
  });

  it('lets exactly one of 20 concurrent modifications from the same rev win', async () => {
    const { user } = await createUser(admin);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => admin.put(`/api/v1/users/${user.id}`, { ...user, name: `n${i}` })),
    );
    const after = await admin.get(`/api/v1/users/${user.id}`);
    const winner = results.find((r) => r.status === 200);
    recordRace(
      '20 concurrent modifications from one rev',
      results.map((r) => r.status),
      // The stored user is the winner's update, applied once (rev 2); anything else is a lost or doubled update.
      { lost: winner && after.body.name === winner.body.name && /^2-/.test(after.body.rev) ? 0 : 1 },
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(after.body.rev).toMatch(/^2-/);
    expect(after.body.name).toBe(winner!.body.name);
  });

  it('gets by email case-insensitively, gets current, 404 for unknown', async () => {
    const { user, login, password } = await createUser(admin);
    const byEmail = await admin.get(`/api/v1/users/by-email/${encodeURIComponent(`${login.toUpperCase()}@Hospital.Care`)}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.id).toBe(user.id);
    const me = await loginAs(t.http, login, password);
    expect((await me.get('/api/v1/users/current')).body.id).toBe(user.id);
    expect((await admin.get('/api/v1/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.get('/api/v1/users/not-a-uuid')).status).toBe(400);
  });

  it('filters by ids, status and prefix with keyset pagination, and counts the same way', async () => {
    const prefix = unique('page');
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await createUser(admin, { login: `${prefix}-${i}` })).user);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await admin.get(`/api/v1/users?q=${prefix}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.rows.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.rows.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(created.map((u) => u.id).sort());
    expect((await admin.get(`/api/v1/users/count?q=${prefix}`)).body.count).toBe(5);
    const byIds = await admin.get(`/api/v1/users?ids=${created[0].id},${created[1].id}`);
    expect(byIds.body.rows.map((u: { id: string }) => u.id).sort()).toEqual([created[0].id, created[1].id].sort());
    expect((await admin.get('/api/v1/users?cursor=bogus!')).status).toBe(400);
    expect((await admin.get('/api/v1/users?cursor=Zm9v')).body.code).toBe('INVALID_CURSOR');
    expect((await admin.get('/api/v1/users?limit=5000')).status).toBe(400);
  });

  it('filters by status and healthcarePartyId, alone and together, and counts the same way', async () => {
    const practitioner = async () => (await admin.post('/api/v1/practitioners', { firstName: 'Hippo', lastName: 'Crates' })).body.id;
    // A practitioner has at most one live user: one practitioner per user here.
    const [p1, p2, p3] = [await practitioner(), await practitioner(), await practitioner()];
    const prefix = unique('flt');
    const make = async (suffix: string, fields: Record<string, unknown>) =>
      (await createUser(admin, { login: `${prefix}-${suffix}`, ...fields })).user.id as string;
    const p1Active = await make('a', { healthcarePartyId: p1 });
    const p2Disabled = await make('b', { healthcarePartyId: p2, status: 'DISABLED' });
    const p3Registering = await make('c', { healthcarePartyId: p3, status: 'REGISTERING' });
    const plainActive = await make('d', {});
    const plainDisabled = await make('e', { status: 'DISABLED' });

    const ids = async (query: string) => {
      const page = await admin.get(`/api/v1/users?${query}&limit=100`);
      expect(page.status).toBe(200);
      expect(page.body.nextCursor).toBeNull();
      return page.body.rows.map((u: { id: string }) => u.id).sort();
    };
    const count = async (query: string) => (await admin.get(`/api/v1/users/count?${query}`)).body.count;
    const cases: [string, string[]][] = [
      [`healthcarePartyId=${p1}`, [p1Active]],
      [`healthcarePartyId=${p2}`, [p2Disabled]],
      [`q=${prefix}`, [p1Active, p2Disabled, p3Registering, plainActive, plainDisabled]],
      [`q=${prefix}&status=ACTIVE`, [p1Active, plainActive]],
      [`q=${prefix}&status=DISABLED`, [p2Disabled, plainDisabled]],
      [`q=${prefix}&status=REGISTERING`, [p3Registering]],
      [`healthcarePartyId=${p2}&status=DISABLED`, [p2Disabled]],
      [`healthcarePartyId=${p1}&status=DISABLED`, []],
    ];
    for (const [query, expected] of cases) {
      expect({ query, ids: await ids(query) }).toEqual({ query, ids: [...expected].sort() });
      expect({ query, count: await count(query) }).toEqual({ query, count: expected.length });
    }
    // Without the prefix, a status filter still returns only that status, ours included.
    const disabled = (await admin.get('/api/v1/users?status=DISABLED&limit=100')).body.rows;
    expect(disabled.every((u: { status: string }) => u.status === 'DISABLED')).toBe(true);
    expect(disabled.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([p2Disabled, plainDisabled]));
    expect(await count('status=DISABLED')).toBe(disabled.length);
  });

  it('keeps logins and emails in Unicode NFC: composed and decomposed forms are one login, one email', async () => {
    const suffix = unique('');
    const decomposed = `jose\u0301-${suffix}`;
    const composed = `jos\u00e9-${suffix}`;
    expect(decomposed).not.toBe(composed);
    const { user, password } = await createUser(admin, { login: decomposed, email: `${decomposed}@hospital.care` });
    expect(user.login).toBe(composed);
    expect(user.email).toBe(`${composed}@hospital.care`);

    const sameLogin = await admin.post('/api/v1/users', { login: composed, email: `other-${suffix}@hospital.care` });
    expect(sameLogin.status).toBe(400);
    expect(sameLogin.body.code).toBe('DUPLICATE_LOGIN');
    const sameEmail = await admin.post('/api/v1/users', { login: `other-${suffix}`, email: `${composed.toUpperCase()}@hospital.care` });
    expect(sameEmail.status).toBe(400);
    expect(sameEmail.body.code).toBe('DUPLICATE_EMAIL');

    for (const form of [decomposed, composed, decomposed.toUpperCase()]) {
      const session = await loginAs(t.http, form, password);
      expect((await session.get('/api/v1/users/current')).body.id).toBe(user.id);
    }
    const byEmail = await admin.get(`/api/v1/users/by-email/${encodeURIComponent(`${decomposed}@hospital.care`)}`);
    expect(byEmail.body.id).toBe(user.id);
  });

  it('soft-deletes: {id, rev}, no more login, login and email free again', async () => {
    const { user, login, password } = await createUser(admin);
    const session = await loginAs(t.http, login, password);
    const deleted = await admin.delete(`/api/v1/users/${user.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: user.id, rev: expect.stringMatching(/^2-/) });
    expect((await t.http.post('/api/v1/auth/login', { login, password })).status).toBe(401);
    expect((await session.get('/api/v1/users/current')).status).toBe(401);
    expect((await admin.get(`/api/v1/users/${user.id}`)).status).toBe(404);
    const again = await admin.post('/api/v1/users', { login, email: `${login}@hospital.care` });
    expect(again.status).toBe(201);
  });

  describe('what a non-admin may do', () => {
    it('reads only itself; filtering, creating and deleting users is 403', async () => {
      const { user, login, password } = await createUser(admin);
      const other = (await createUser(admin)).user;
      const me = await loginAs(t.http, login, password);
      expect((await me.get(`/api/v1/users/${user.id}`)).status).toBe(200);
      expect((await me.get(`/api/v1/users/${other.id}`)).status).toBe(404);
      expect((await me.get(`/api/v1/users/by-email/${other.email}`)).status).toBe(404);
      expect((await me.get('/api/v1/users')).status).toBe(403);
      expect((await me.get('/api/v1/users/count')).status).toBe(403);
      expect((await me.post('/api/v1/users', { login: unique() })).status).toBe(403);
      expect((await me.delete(`/api/v1/users/${other.id}`)).status).toBe(403);
    });

    it('may change its own profile, but not its roles, and its password only with the current one', async () => {
      const { user, login, password } = await createUser(admin);
      const me = await loginAs(t.http, login, password);
      const renamed = await me.put(`/api/v1/users/${user.id}`, { ...user, name: 'Me' });
      expect(renamed.status).toBe(200);
      const roles = await me.put(`/api/v1/users/${user.id}`, { ...renamed.body, roles: ['ADMIN'] });
      expect(roles.status).toBe(403);
      expect(roles.body.code).toBe('FORBIDDEN_CHANGE');
      const noCurrent = await me.put(`/api/v1/users/${user.id}`, { ...renamed.body, passwordHash: 'a brand new password' });
      expect(noCurrent.body.code).toBe('CURRENT_PASSWORD_REQUIRED');
      const wrongCurrent = await me.put(`/api/v1/users/${user.id}`, {
        ...renamed.body,
        passwordHash: 'a brand new password',
        currentPassword: 'nope nope nope',
      });
      expect(wrongCurrent.body.code).toBe('CURRENT_PASSWORD_INVALID');
      const ok = await me.put(`/api/v1/users/${user.id}`, {
        ...renamed.body,
        passwordHash: 'a brand new password',
        currentPassword: password,
      });
      expect(ok.status).toBe(200);
      // A password change by the user keeps the calling session (the others end: test/identity/credential-lifecycle).
      expect((await me.get('/api/v1/users/current')).status).toBe(200);
      await loginAs(t.http, login, 'a brand new password');
    });

    it('cannot modify another user (404, as if it did not exist)', async () => {
      const { login, password } = await createUser(admin);
      const other = (await createUser(admin)).user;
      const me = await loginAs(t.http, login, password);
      expect((await me.put(`/api/v1/users/${other.id}`, { ...other, name: 'x' })).status).toBe(404);
    });
  });

  it('needs a token for everything but login', async () => {
    const response = await t.http.get('/api/v1/users/current');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });
});
