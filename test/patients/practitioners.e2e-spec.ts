import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { createPatient, NO_SUCH_ID, practitionerUser } from './fixtures';

describe('Practitioners', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  it('creates a practitioner with computed names, default gender, and addresses with telecoms', async () => {
    const response = await admin.post('/api/v1/practitioners', {
      firstName: 'Jean-Baptiste',
      lastName: 'Purgon',
      speciality: 'General practice',
      languages: ['fr'],
      addresses: [{ addressType: 'work', telecoms: [{ system: 'email', value: 'purgon@hospital.care' }] }],
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      rev: expect.stringMatching(/^1-[0-9a-f]{32}$/),
      created: expect.any(Number),
      modified: response.body.created,
      firstName: 'Jean-Baptiste',
      lastName: 'Purgon',
      names: [{ family: 'Purgon', given: ['Jean-Baptiste'], prefix: [], suffix: [], text: 'Purgon Jean-Baptiste', use: 'official' }],
      gender: 'unknown',
      speciality: 'General practice',
      addresses: [{ addressType: 'work', notes: [], telecoms: [{ system: 'email', value: 'purgon@hospital.care' }] }],
      languages: ['fr'],
      properties: {},
    });
    expect((await admin.post('/api/v1/practitioners', { lastName: 'x', title: 'Dr' })).status).toBe(400);
    const duplicate = await admin.post('/api/v1/practitioners', { id: response.body.id, lastName: 'Again' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.code).toBe('DUPLICATE_ID');
  });

  it('is a directory every authenticated user reads, filtered by name prefix and paginated by keyset', async () => {
    const family = unique('Fleurant');
    const ids: string[] = [];
    for (const firstName of ['Anne', 'Bruno', 'Chloé']) {
      ids.push((await admin.post('/api/v1/practitioners', { firstName, lastName: family })).body.id);
    }
    const { login, password } = await createUser(admin);
    const plain = await loginAs(t.http, login, password);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await plain.get(`/api/v1/practitioners?name=${family.toUpperCase()}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.rows.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
    const chloe = await plain.get(`/api/v1/practitioners?name=${encodeURIComponent('chloé fl')}`);
    expect(chloe.body.rows.map((p: { id: string }) => p.id)).toEqual([ids[2]]);
    expect((await plain.get(`/api/v1/practitioners/${ids[0]}`)).status).toBe(200);
    expect((await plain.get(`/api/v1/practitioners/${NO_SUCH_ID}`)).status).toBe(404);
    expect((await t.http.get('/api/v1/practitioners')).status).toBe(401);
  });

  it('lets admins modify any practitioner and practitioner users only their own, with rev', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const other = await practitionerUser(t.http, admin);
    const own = await doctor.session.put(`/api/v1/practitioners/${doctor.practitioner.id}`, {
      ...doctor.practitioner,
      speciality: 'Cardiology',
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ speciality: 'Cardiology', rev: expect.stringMatching(/^2-/) });
    const notOwn = await doctor.session.put(`/api/v1/practitioners/${other.practitioner.id}`, { ...other.practitioner, speciality: 'x' });
    expect(notOwn.status).toBe(403);
    expect(notOwn.body.code).toBe('NOT_OWN_PRACTITIONER');
    const stale = await admin.put(`/api/v1/practitioners/${doctor.practitioner.id}`, { ...doctor.practitioner, speciality: 'x' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('REVISION_CONFLICT');
    const renamed = await admin.put(`/api/v1/practitioners/${doctor.practitioner.id}`, { ...own.body, lastName: 'Diafoirus' });
    expect(renamed.body.names[0]).toMatchObject({ family: 'Diafoirus', text: 'Diafoirus Jean' });
    expect((await doctor.session.post('/api/v1/practitioners', { lastName: 'New' })).status).toBe(403);
    expect((await doctor.session.delete(`/api/v1/practitioners/${doctor.practitioner.id}`)).status).toBe(403);
  });

  it('soft-deletes (admin): {id, rev}, then 404', async () => {
    const created = (await admin.post('/api/v1/practitioners', { lastName: unique('Gone') })).body;
    const deleted = await admin.delete(`/api/v1/practitioners/${created.id}`);
    expect(deleted.body).toEqual({ id: created.id, rev: expect.stringMatching(/^2-/) });
    expect((await admin.get(`/api/v1/practitioners/${created.id}`)).status).toBe(404);
    expect((await admin.get(`/api/v1/practitioners?name=${created.lastName}`)).body.rows).toEqual([]);
  });

  it("validates a user's link to its data owner: it must exist, and only one live user stands for it", async () => {
    const practitioner = (await admin.post('/api/v1/practitioners', { lastName: unique('Linked') })).body;
    const missing = await admin.post('/api/v1/users', { login: unique(), healthcarePartyId: NO_SUCH_ID });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('PRACTITIONER_NOT_FOUND');
    expect((await admin.post('/api/v1/users', { login: unique(), healthcarePartyId: practitioner.id })).status).toBe(201);
    const second = await admin.post('/api/v1/users', { login: unique(), healthcarePartyId: practitioner.id });
    expect(second.status).toBe(400);
    expect(second.body.code).toBe('PRACTITIONER_ALREADY_HAS_USER');

    const deleted = (await admin.post('/api/v1/practitioners', { lastName: unique('Deleted') })).body;
    await admin.delete(`/api/v1/practitioners/${deleted.id}`);
    expect((await admin.post('/api/v1/users', { login: unique(), healthcarePartyId: deleted.id })).body.code).toBe(
      'PRACTITIONER_NOT_FOUND',
    );

    const doctor = await practitionerUser(t.http, admin);
    const patient = await createPatient(doctor.session);
    expect((await admin.post('/api/v1/users', { login: unique(), patientId: NO_SUCH_ID })).body.code).toBe('PATIENT_NOT_FOUND');
    expect((await admin.post('/api/v1/users', { login: unique(), patientId: patient.id })).status).toBe(201);
  });
});
