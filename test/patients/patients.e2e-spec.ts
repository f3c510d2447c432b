import { recordRace } from '../support/figures';
import { PatientAccessRequested } from '@careid/identity';
import { PatientsService } from '@careid/patients';
import { DomainEvents } from '@careid/shared';
import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { createPatient, createRecord, NO_SUCH_ID, patientUser, practitionerUser } from './fixtures';

/** The createdPatient of iCure's "Handling users" guide, verbatim. */
const SEED_CREATED_PATIENT = {
  id: 'a37c4073-f96e-440c-8757-57a3a0ef7daf',
  rev: '1-732bd01ebeeaa1d4dd9aa7cde40b724f',
  identifiers: [],
  created: 1700058624945,
  modified: 1700058624945,
  author: '17e392da-8e36-4e4e-abd7-7eef3e434395',
  responsible: '3ed06450-17e5-47b6-ba4f-7a0a084df56b',
  tags: {},
  codes: {},
  names: [{ family: 'Poquelin', given: ['Argan'], prefix: [], suffix: [], text: 'Poquelin Argan', use: 'official' }],
  languages: [],
  addresses: [{ addressType: 'home', notes: [], telecoms: [{ system: 'email', value: 'argankcq59ip2d@moliere.fr' }] }],
  gender: 'unknown',
  birthSex: 'unknown',
  mergedIds: [],
  active: true,
  deactivationReason: 'none',
  ssin: '1973021014722',
  personalStatus: 'unknown',
  dateOfBirth: 19730210,
  notes: [],
  relatives: [],
  patientPractitioners: [],
  patientProfessions: [],
  properties: {},
  systemMetaData: {
    hcPartyKeys: {},
    privateKeyShamirPartitions: {},
    secretForeignKeys: [],
    cryptedForeignKeys: {},
    delegations: {},
    encryptionKeys: {},
    aesExchangeKeys: {},
    transferKeys: {},
    securityMetadata: { secureDelegations: {}, keysEquivalences: {} },
    encryptedSelf: 'xaiIQeZAXayBnN/P0dBrOh0eNzyyvdxkkCxgqNqbiCk=',
    publicKeysForOaepWithSha256: [],
    tags: {},
  },
  firstName: 'Argan',
  lastName: 'Poquelin',
};

describe('Patients', () => {
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof practitionerUser>>;
  let colleague: Awaited<ReturnType<typeof practitionerUser>>;

  async function auditEvents(query: string) {
    const response = await admin.get(`/api/v1/audit-events?${query}&limit=1000`);
    expect(response.status).toBe(200);
    return response.body.rows as { type: string; outcome: string; targetId: string | null; actorId: string; details: any }[];
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
    doctor = await practitionerUser(t.http, admin);
    colleague = await practitionerUser(t.http, admin);
  });
  afterAll(() => t.close());

  it("creates a patient that matches the seed's createdPatient key for key, with iCure's defaults", async () => {
    const uniqueId = unique('');
    const response = await doctor.session.post('/api/v1/patients', {
      firstName: 'Argan',
      lastName: 'Poquelin',
      addresses: [{ addressType: 'home', telecoms: [{ system: 'email', value: `argan${uniqueId}@moliere.fr` }] }],
      dateOfBirth: 19730210,
      ssin: '1973021014722',
    });
    expect(response.status).toBe(201);
    const patient = response.body;
    // The server never encrypts anything itself, so it has no encryptedSelf to show.
    const { encryptedSelf: _encryptedSelf, ...seedSystemMetaData } = SEED_CREATED_PATIENT.systemMetaData;
    expect(patient).toEqual({
      ...SEED_CREATED_PATIENT,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      rev: expect.stringMatching(/^1-[0-9a-f]{32}$/),
      created: expect.any(Number),
      modified: patient.created,
      author: doctor.user.id,
      responsible: doctor.practitioner.id,
      addresses: [{ addressType: 'home', notes: [], telecoms: [{ system: 'email', value: `argan${uniqueId}@moliere.fr` }] }],
      systemMetaData: seedSystemMetaData,
      delegations: [doctor.practitioner.id],
    });
    expect(Object.keys(patient).filter((key) => key in SEED_CREATED_PATIENT)).toEqual(Object.keys(SEED_CREATED_PATIENT));
    expect((await doctor.session.get(`/api/v1/patients/${patient.id}`)).body).toEqual(patient);
  });

  it('computes names from firstName/lastName, keeps names a client wrote, and recomputes the names it computed', async () => {
    const onlyNames = await createPatient(doctor.session, {
      firstName: undefined,
      lastName: undefined,
      names: [{ family: 'Béralde', given: ['Jean', 'Paul'], use: 'usual' }],
    });
    expect(onlyNames.names).toEqual([{ family: 'Béralde', given: ['Jean', 'Paul'], prefix: [], suffix: [], use: 'usual' }]);
    expect(onlyNames).toMatchObject({ firstName: 'Jean Paul', lastName: 'Béralde' });

    const computed = await createPatient(doctor.session, { firstName: 'Toinette', lastName: 'Servante' });
    const renamed = await doctor.session.put(`/api/v1/patients/${computed.id}`, { ...computed, firstName: 'Louison' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.names).toEqual([
      { family: 'Servante', given: ['Louison'], prefix: [], suffix: [], text: 'Servante Louison', use: 'official' },
    ]);
  });

  it('accepts only real calendar dates of birth, and refuses unknown properties and oversized values', async () => {
    const post = (body: Record<string, unknown>) => doctor.session.post('/api/v1/patients', { lastName: 'Date', ...body });
    expect((await post({ dateOfBirth: 19730210 })).status).toBe(201);
    expect((await post({ dateOfBirth: 20000229 })).status).toBe(201);
    for (const bad of [20230230, 19000229, 20231301, 20230100, 2023023, '19730210', 19730210.5]) {
      const response = await post({ dateOfBirth: bad });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors[0].field).toBe('dateOfBirth');
    }
    const unknown = await post({ isVip: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('isVip');
    expect((await post({ lastName: 'x'.repeat(256) })).status).toBe(400);
    expect((await post({ languages: Array.from({ length: 21 }, () => 'fr') })).status).toBe(400);
    expect((await post({ addresses: [{ telecoms: [{ system: 'pigeon', value: 'x' }] }] })).status).toBe(400);
    expect((await post({ properties: { blob: 'x'.repeat(20_000) } })).status).toBe(400);
    expect((await post({ gender: 'robot' })).status).toBe(400);
    expect((await doctor.session.get('/api/v1/patients/not-a-uuid')).status).toBe(400);
  });

  it('modifies with rev: a GET round-trips, server-managed fields are ignored, a stale rev gets 409', async () => {
    const patient = await createPatient(doctor.session);
    const loaded = (await doctor.session.get(`/api/v1/patients/${patient.id}`)).body;
    const modified = await doctor.session.put(`/api/v1/patients/${patient.id}`, {
      ...loaded,
      ssin: '1973021014722',
      gender: 'female',
      created: 1,
      author: NO_SUCH_ID,
      responsible: NO_SUCH_ID,
      delegations: [NO_SUCH_ID],
      systemMetaData: { publicKeysForOaepWithSha256: ['00ff'] },
    });
    expect(modified.status).toBe(200);
    expect(modified.body).toMatchObject({
      rev: expect.stringMatching(/^2-/),
      ssin: '1973021014722',
      gender: 'female',
      created: patient.created,
      author: patient.author,
      responsible: patient.responsible,
      delegations: patient.delegations,
      systemMetaData: patient.systemMetaData,
    });
    expect(modified.body.modified).toBeGreaterThanOrEqual(patient.modified);

    const stale = await doctor.session.put(`/api/v1/patients/${patient.id}`, { ...loaded, gender: 'male' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('REVISION_CONFLICT');
    const noRev = await doctor.session.put(`/api/v1/patients/${patient.id}`, { ...loaded, rev: undefined });
    expect(noRev.body.code).toBe('REV_REQUIRED');
    const otherId = await doctor.session.put(`/api/v1/patients/${patient.id}`, { ...modified.body, id: NO_SUCH_ID });
    expect(otherId.body.code).toBe('ID_MISMATCH');
    const cleared = await doctor.session.put(`/api/v1/patients/${patient.id}`, { ...modified.body, ssin: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.ssin).toBeUndefined();
  });

  it('lets exactly one of 20 concurrent modifications from the same rev win', async () => {
    const patient = await createPatient(doctor.session);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        doctor.session.put(`/api/v1/patients/${patient.id}`, { ...patient, notes: [{ text: `n${i}` }] }),
      ),
    );
    const after = (await doctor.session.get(`/api/v1/patients/${patient.id}`)).body;
    const winner = results.find((r) => r.status === 200);
    recordRace(
      '20 concurrent modifications of one patient from one rev',
      results.map((r) => r.status),
      // The stored patient is the winner's update, applied once (rev 2); anything else is a lost or doubled update.
      { lost: winner && /^2-/.test(after.rev) && JSON.stringify(after.notes) === JSON.stringify(winner.body.notes) ? 0 : 1 },
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(after.rev).toMatch(/^2-/);
    expect(after.notes).toEqual(winner!.body.notes);
  });

  it('soft-deletes: {id, rev}, then 404 and out of lists', async () => {
    const patient = await createPatient(doctor.session, { ssin: unique('del') });
    const deleted = await doctor.session.delete(`/api/v1/patients/${patient.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: patient.id, rev: expect.stringMatching(/^2-[0-9a-f]{32}$/) });
    expect((await doctor.session.get(`/api/v1/patients/${patient.id}`)).status).toBe(404);
    expect((await doctor.session.delete(`/api/v1/patients/${patient.id}`)).status).toBe(404);
    expect((await doctor.session.get(`/api/v1/patients?ssin=${patient.ssin}`)).body.rows).toEqual([]);
  });

  it("pages through a practitioner's patients by keyset, stable under inserts, never showing others' patients", async () => {
    const solo = await practitionerUser(t.http, admin);
    const mine: string[] = [];
    for (let i = 0; i < 7; i++) mine.push((await createPatient(solo.session)).id);
    await createPatient(colleague.session);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: any = await solo.session.get(`/api/v1/patients?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.rows.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.rows.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
      // An insert while paging does not shift the pages already read.
      if (pages++ === 0) mine.push((await createPatient(solo.session)).id);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const ordered = [...seen].sort();
    expect(seen).toEqual(ordered);
    expect(seen.every((id) => mine.includes(id))).toBe(true);
    expect(mine.filter((id) => !seen.includes(id)).every((id) => id < seen[2])).toBe(true);
    const all = await solo.session.get('/api/v1/patients?limit=1000');
    expect(all.body.rows.map((p: { id: string }) => p.id).sort()).toEqual([...mine].sort());
    expect(all.body.nextCursor).toBeNull();

    expect((await solo.session.get('/api/v1/patients?cursor=Zm9v')).body.code).toBe('INVALID_CURSOR');
    expect((await solo.session.get('/api/v1/patients?limit=1001')).status).toBe(400);
    // An admin sees everyone's patients.
    const adminPage = await admin.get('/api/v1/patients?limit=1000');
    expect(adminPage.body.rows.length).toBeGreaterThan(mine.length);
  });

  it('filters by name prefix (family or given name, any case, accents kept), ssin and dateOfBirth', async () => {
    const family = unique('Diafoirus');
    const thomas = await createPatient(doctor.session, {
      firstName: 'Thomas',
      lastName: family,
      ssin: unique('ss'),
      dateOfBirth: 16730217,
    });
    const angelique = await createPatient(doctor.session, { firstName: 'Angélique', lastName: family, dateOfBirth: 16730218 });
    const ids = async (query: string) => {
      const response = await doctor.session.get(`/api/v1/patients?${query}`);
      expect(response.status).toBe(200);
      return response.body.rows.map((p: { id: string }) => p.id).sort();
    };
    expect(await ids(`name=${family.toUpperCase()}`)).toEqual([thomas.id, angelique.id].sort());
    expect(await ids(`name=${encodeURIComponent(`${family.toLowerCase()} th`)}`)).toEqual([thomas.id]);
    expect(await ids(`name=${encodeURIComponent('ANGÉLIQUE ')}${family.slice(0, 4)}`)).toEqual([angelique.id]);
    expect(await ids(`name=${family}&dateOfBirth=16730218`)).toEqual([angelique.id]);
    expect(await ids(`ssin=${thomas.ssin}`)).toEqual([thomas.id]);
    expect(await ids(`name=${encodeURIComponent('%')}${family}`)).toEqual([]);
    // The colleague holds no delegation on them: the filter finds nothing for it.
    expect((await colleague.session.get(`/api/v1/patients?name=${family}`)).body.rows).toEqual([]);
    expect((await doctor.session.get('/api/v1/patients?dateOfBirth=20230230')).status).toBe(400);
  });

  it('shares a patient with a colleague through a delegation, bumping rev; a non-delegate gets 404', async () => {
    const patient = await createPatient(doctor.session);
    const sample = await createRecord(doctor.session, 'data-samples', patient.id);
    expect((await colleague.session.get(`/api/v1/patients/${patient.id}`)).status).toBe(404);
    expect(
      (await colleague.session.post(`/api/v1/patients/${patient.id}/delegations`, { dataOwnerId: colleague.practitioner.id })).status,
    ).toBe(404);

    const unknownOwner = await doctor.session.post(`/api/v1/patients/${patient.id}/delegations`, { dataOwnerId: NO_SUCH_ID });
    expect(unknownOwner.status).toBe(400);
    expect(unknownOwner.body.code).toBe('DATA_OWNER_NOT_FOUND');

    const shared = await doctor.session.post(`/api/v1/patients/${patient.id}/delegations`, { dataOwnerId: colleague.practitioner.id });
    expect(shared.status).toBe(200);
    expect(shared.body.rev).toMatch(/^2-/);
    expect(shared.body.delegations.sort()).toEqual([doctor.practitioner.id, colleague.practitioner.id].sort());
    expect((await colleague.session.get(`/api/v1/patients/${patient.id}`)).status).toBe(200);
    // Without includeRecords the records stay with their delegates.
    expect((await colleague.session.get(`/api/v1/data-samples/${sample.id}`)).status).toBe(404);
    const again = await doctor.session.post(`/api/v1/patients/${patient.id}/delegations`, { dataOwnerId: colleague.practitioner.id });
    expect(again.body.rev).toMatch(/^2-/);

    const withRecords = await colleague.session.post(`/api/v1/patients/${patient.id}/delegations`, {
      dataOwnerId: colleague.practitioner.id,
      includeRecords: true,
    });
    expect(withRecords.status).toBe(200);
    // The colleague could not read the sample, so it could not share it with itself.
    expect((await colleague.session.get(`/api/v1/data-samples/${sample.id}`)).status).toBe(404);
    await doctor.session.post(`/api/v1/patients/${patient.id}/delegations`, {
      dataOwnerId: colleague.practitioner.id,
      includeRecords: true,
    });
    const read = await colleague.session.get(`/api/v1/data-samples/${sample.id}`);
    expect(read.status).toBe(200);
    expect(read.body.rev).toMatch(/^2-/);
  });

  it('lets a patient user read nothing of another patient, even one shared with it, and list only itself', async () => {
    const other = await createPatient(doctor.session);
    const sample = await createRecord(doctor.session, 'data-samples', other.id);
    const element = await createRecord(doctor.session, 'healthcare-elements', other.id);
    const patient = await createPatient(doctor.session);
    const { session: me } = await patientUser(t.http, admin, patient.id);
    const shared = await doctor.session.post(`/api/v1/patients/${other.id}/delegations`, { dataOwnerId: patient.id, includeRecords: true });
    expect(shared.status).toBe(200);
    expect(shared.body.delegations).toContain(patient.id);
    expect((await me.get(`/api/v1/patients/${other.id}`)).status).toBe(404);
    expect((await me.get(`/api/v1/patients/${other.id}/administrative`)).status).toBe(404);
    expect((await me.get(`/api/v1/data-samples/${sample.id}`)).status).toBe(404);
    expect((await me.get(`/api/v1/healthcare-elements/${element.id}`)).status).toBe(404);
    expect((await me.get('/api/v1/patients')).body.rows).toEqual([]);
    expect((await me.get(`/api/v1/data-samples?patientId=${other.id}`)).body.rows).toEqual([]);
    expect((await me.get('/api/v1/data-samples')).body.rows).toEqual([]);
    expect((await me.get('/api/v1/healthcare-elements')).body.rows).toEqual([]);

    const ownSample = await createRecord(doctor.session, 'data-samples', patient.id);
    expect((await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`)).status).toBe(200);
    expect((await me.get('/api/v1/patients')).body.rows.map((p: { id: string }) => p.id)).toEqual([patient.id]);
    expect((await me.get('/api/v1/data-samples')).body.rows.map((r: { id: string }) => r.id)).toEqual([ownSample.id]);
    expect((await me.get(`/api/v1/data-samples/${ownSample.id}`)).status).toBe(200);
    expect((await me.get(`/api/v1/patients/${other.id}`)).status).toBe(404);
  });

  it('adds the autoDelegations of the creating user to every patient and record it creates', async () => {
    const secretary = await practitionerUser(t.http, admin, { autoDelegations: { all: [doctor.practitioner.id] } });
    const patient = await createPatient(secretary.session);
    expect(patient.delegations.sort()).toEqual([secretary.practitioner.id, doctor.practitioner.id].sort());
    const element = await createRecord(secretary.session, 'healthcare-elements', patient.id);
    expect(element.delegations.sort()).toEqual([secretary.practitioner.id, doctor.practitioner.id].sort());
    expect((await doctor.session.get(`/api/v1/patients/${patient.id}`)).status).toBe(200);
    expect((await doctor.session.get(`/api/v1/healthcare-elements/${element.id}`)).status).toBe(200);
  });

  it("narrows a user's role with its access policy, and a Deny rule wins", async () => {
    const readOnly = await practitionerUser(t.http, admin, {
      accessPolicy: { rule: [{ resource: ['Patient', 'DataSample'], action: 'read', effect: 'Allow' }] },
    });
    const denied = await readOnly.session.post('/api/v1/patients', { lastName: 'Nope' });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    expect((await readOnly.session.get('/api/v1/patients')).status).toBe(200);
    expect((await readOnly.session.get('/api/v1/healthcare-elements')).status).toBe(403);

    const denyWins = await practitionerUser(t.http, admin, {
      accessPolicy: {
        rule: [
          { resource: '*', action: '*', effect: 'Allow' },
          { resource: 'Patient', action: 'delete', effect: 'Deny' },
        ],
      },
    });
    const patient = await createPatient(denyWins.session);
    expect((await denyWins.session.delete(`/api/v1/patients/${patient.id}`)).status).toBe(403);
    expect((await denyWins.session.get(`/api/v1/patients/${patient.id}`)).status).toBe(200);
    // A policy only narrows: allowing everything does not let a plain user read patients.
    const { login, password } = await createUser(admin, { accessPolicy: { rule: [{ resource: '*', action: '*', effect: 'Allow' }] } });
    const plain = await loginAs(t.http, login, password);
    expect((await plain.get('/api/v1/patients')).status).toBe(403);
  });

  it('writes every read, list, write and refused attempt into the audit trail', async () => {
    const patient = await createPatient(doctor.session);
    await doctor.session.get(`/api/v1/patients/${patient.id}`);
    await doctor.session.put(`/api/v1/patients/${patient.id}`, { ...patient, gender: 'male' });
    await colleague.session.get(`/api/v1/patients/${patient.id}`);
    await colleague.session.put(`/api/v1/patients/${patient.id}`, { ...patient, gender: 'female' });
    const events = await auditEvents(`target=${patient.id}`);
    const summary = events.map((e) => `${e.type}:${e.outcome}:${e.actorId === doctor.user.id ? 'doctor' : 'colleague'}`).reverse();
    expect(summary).toEqual([
      'PATIENT_CREATED:success:doctor',
      'PATIENT_READ:success:doctor',
      'PATIENT_MODIFIED:success:doctor',
      'PATIENT_READ:denied:colleague',
      'PATIENT_MODIFIED:denied:colleague',
    ]);

    const list = await doctor.session.get(`/api/v1/patients?ssin=${unique('none')}`);
    expect(list.status).toBe(200);
    const listEvents = await auditEvents(`actor=${doctor.user.id}&type=PATIENT_READ`);
    expect(listEvents[0]).toMatchObject({ targetId: null, outcome: 'success', details: { list: true, count: 0, ids: [] } });

    const { user, session } = await patientUser(t.http, admin, patient.id);
    expect((await session.post('/api/v1/patients', { lastName: 'Self' })).status).toBe(403);
    const refused = await auditEvents(`actor=${user.id}&type=PATIENT_CREATED`);
    expect(refused).toHaveLength(1);
    expect(refused[0].outcome).toBe('denied');
  });

  it("stores the activating patient's public key once, bumping rev, when identity announces the access request", async () => {
    const patient = await createPatient(doctor.session);
    const { user } = await patientUser(t.http, admin, patient.id);
    const publicKey = '30820122300d06092a864886f70d01010105000382010f003082010a0282010100c0ffee';
    const events = t.app.get(DomainEvents);
    await events.publish(new PatientAccessRequested(user.id, patient.id, publicKey.toUpperCase()));
    await events.publish(new PatientAccessRequested(user.id, patient.id, publicKey));
    const loaded = (await doctor.session.get(`/api/v1/patients/${patient.id}`)).body;
    expect(loaded.systemMetaData.publicKeysForOaepWithSha256).toEqual([publicKey]);
    expect(loaded.rev).toMatch(/^2-/);
    await expect(events.publish(new PatientAccessRequested(user.id, patient.id, 'not hex'))).rejects.toMatchObject({
      code: 'INVALID_PUBLIC_KEY',
    });
  });

  it('offers other contexts the contact, the existence and the delegates of a patient', async () => {
    const patients = t.app.get(PatientsService);
    const patient = await createPatient(doctor.session, {
      addresses: [
        {
          addressType: 'home',
          telecoms: [
            { system: 'email', value: 'argan@moliere.fr' },
            { system: 'mobile', value: '+33600000000' },
            { system: 'phone', value: '+3310000000' },
          ],
        },
        { addressType: 'work', telecoms: [{ system: 'email', value: 'argan@moliere.fr' }] },
      ],
    });
    await expect(patients.getContact(patient.id, principalOf(doctor))).resolves.toMatchObject({
      id: patient.id,
      emails: ['argan@moliere.fr'],
      mobiles: ['+33600000000'],
      firstName: 'Argan',
    });
    await expect(patients.getContact(patient.id, principalOf(colleague))).rejects.toMatchObject({
      code: 'PATIENT_NOT_FOUND',
    });
    await expect(patients.patientExists(patient.id)).resolves.toBe(true);
    await expect(patients.patientExists(NO_SUCH_ID)).resolves.toBe(false);
    await expect(patients.dataOwnersWithDelegation(patient.id)).resolves.toEqual([doctor.practitioner.id]);
  });
});

function principalOf(practitioner: { practitioner: { id: string }; user: { id: string; login: string } }) {
  return {
    userId: practitioner.user.id,
    login: practitioner.user.login,
    roles: [],
    isAdmin: false,
    healthcarePartyId: practitioner.practitioner.id,
    patientId: null,
    dataOwnerId: practitioner.practitioner.id,
    accessPolicy: null,
    autoDelegations: {},
    sessionVersion: 1,
  };
}
