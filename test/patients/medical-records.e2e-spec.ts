import { sql } from '../support/db';
import { recordRace } from '../support/figures';
import { HttpClient } from '../support/http';
import { createUser, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { createPatient, createRecord, NO_SUCH_ID, patientUser, practitionerUser } from './fixtures';

describe('Medical records and sharing all data with a patient', () => {
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof practitionerUser>>;
  let colleague: Awaited<ReturnType<typeof practitionerUser>>;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
    doctor = await practitionerUser(t.http, admin);
    colleague = await practitionerUser(t.http, admin);
  });
  afterAll(() => t.close());

  describe.each([
    ['data-samples', 'DATA_SAMPLE'],
    ['healthcare-elements', 'HEALTHCARE_ELEMENT'],
  ] as const)('%s', (kind, code) => {
    it('creates, reads, lists by patient, modifies with rev and soft-deletes', async () => {
      const patient = await createPatient(doctor.session);
      const created = await doctor.session.post(`/api/v1/${kind}`, {
        patientId: patient.id,
        content: { en: { measureValue: { value: 72, unit: 'bpm' } } },
        codes: { 'LOINC|8867-4|2': { type: 'LOINC', code: '8867-4' } },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        rev: expect.stringMatching(/^1-[0-9a-f]{32}$/),
        patientId: patient.id,
        created: expect.any(Number),
        modified: created.body.created,
        author: doctor.user.id,
        responsible: doctor.practitioner.id,
        content: { en: { measureValue: { value: 72, unit: 'bpm' } } },
        codes: { 'LOINC|8867-4|2': { type: 'LOINC', code: '8867-4' } },
        tags: {},
        delegations: [doctor.practitioner.id],
      });
      const record = created.body;
      expect((await doctor.session.get(`/api/v1/${kind}/${record.id}`)).body).toEqual(record);
      const other = await createRecord(doctor.session, kind, (await createPatient(doctor.session)).id);
      const list = await doctor.session.get(`/api/v1/${kind}?patientId=${patient.id}`);
      expect(list.body).toEqual({ rows: [record], nextCursor: null });
      const mine = await doctor.session.get(`/api/v1/${kind}?limit=1000`);
      expect(mine.body.rows.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([record.id, other.id]));

      const modified = await doctor.session.put(`/api/v1/${kind}/${record.id}`, { ...record, content: { en: { value: 'encrypted…' } } });
      expect(modified.status).toBe(200);
      expect(modified.body).toMatchObject({
        rev: expect.stringMatching(/^2-/),
        content: { en: { value: 'encrypted…' } },
        codes: record.codes,
      });
      const stale = await doctor.session.put(`/api/v1/${kind}/${record.id}`, { ...record, tags: { a: 1 } });
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('REVISION_CONFLICT');
      const moved = await doctor.session.put(`/api/v1/${kind}/${record.id}`, { ...modified.body, patientId: other.patientId });
      expect(moved.body.code).toBe('PATIENT_ID_IMMUTABLE');

      const deleted = await doctor.session.delete(`/api/v1/${kind}/${record.id}`);
      expect(deleted.body).toEqual({ id: record.id, rev: expect.stringMatching(/^3-/) });
      const gone = await doctor.session.get(`/api/v1/${kind}/${record.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe(`${code}_NOT_FOUND`);
      expect((await doctor.session.get(`/api/v1/${kind}?patientId=${patient.id}`)).body.rows).toEqual([]);
    });

    it('needs a patient the caller can access, and content', async () => {
      const patient = await createPatient(doctor.session);
      for (const body of [{ patientId: patient.id }, { content: {} }]) {
        expect((await doctor.session.post(`/api/v1/${kind}`, body)).status).toBe(400);
      }
      for (const patientId of [NO_SUCH_ID, patient.id]) {
        const response = await colleague.session.post(`/api/v1/${kind}`, { patientId, content: {} });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('PATIENT_NOT_FOUND');
      }
      expect((await doctor.session.post(`/api/v1/${kind}`, { patientId: patient.id, content: 'not an object' })).status).toBe(400);
      expect((await doctor.session.post(`/api/v1/${kind}`, { patientId: patient.id, content: {}, extra: 1 })).status).toBe(400);
    });

    it('hides records from those who are not their delegates (404, empty lists)', async () => {
      const patient = await createPatient(doctor.session);
      const record = await createRecord(doctor.session, kind, patient.id);
      expect((await colleague.session.get(`/api/v1/${kind}/${record.id}`)).status).toBe(404);
      expect((await colleague.session.put(`/api/v1/${kind}/${record.id}`, record)).status).toBe(404);
      expect((await colleague.session.delete(`/api/v1/${kind}/${record.id}`)).status).toBe(404);
      expect((await colleague.session.get(`/api/v1/${kind}?patientId=${patient.id}`)).body.rows).toEqual([]);
      expect((await admin.get(`/api/v1/${kind}/${record.id}`)).status).toBe(200);
    });
  });

  it('keeps opening and closing dates on healthcare elements only, closing not before opening', async () => {
    const patient = await createPatient(doctor.session);
    const element = await createRecord(doctor.session, 'healthcare-elements', patient.id, { openingDate: 1700000000000 });
    expect(element.openingDate).toBe(1700000000000);
    const closed = await doctor.session.put(`/api/v1/healthcare-elements/${element.id}`, { ...element, closingDate: 1700086400000 });
    expect(closed.body).toMatchObject({ openingDate: 1700000000000, closingDate: 1700086400000 });
    const backwards = await doctor.session.put(`/api/v1/healthcare-elements/${element.id}`, { ...closed.body, closingDate: 1 });
    expect(backwards.body.code).toBe('CLOSING_BEFORE_OPENING');
    const sampleWithDate = await doctor.session.post('/api/v1/data-samples', { patientId: patient.id, content: {}, openingDate: 1 });
    expect(sampleWithDate.status).toBe(400);
    expect(sampleWithDate.body.errors[0].field).toBe('openingDate');
  });

  describe('share-all-data', () => {
    async function patientWithRecords(samples: number, elements: number, fields: Record<string, unknown> = {}) {
      const patient = await createPatient(doctor.session, fields);
      const records = { samples: [] as any[], elements: [] as any[] };
      for (let i = 0; i < samples; i++) records.samples.push(await createRecord(doctor.session, 'data-samples', patient.id));
      for (let i = 0; i < elements; i++) records.elements.push(await createRecord(doctor.session, 'healthcare-elements', patient.id));
      return { patient, ...records };
    }

    it('reports what it shared; a second run shares nothing', async () => {
      const { patient, samples } = await patientWithRecords(3, 2);
      await patientUser(t.http, admin, patient.id);
      const first = await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(first.status).toBe(200);
      expect(first.body.statuses).toEqual({
        dataSamples: { success: true, error: null, modified: 3 },
        healthcareElements: { success: true, error: null, modified: 2 },
        patient: { success: true, error: null, modified: 1 },
      });
      expect(first.body.patient).toMatchObject({ id: patient.id, rev: expect.stringMatching(/^2-/) });
      expect(first.body.patient.delegations.sort()).toEqual([doctor.practitioner.id, patient.id].sort());
      const sample = (await doctor.session.get(`/api/v1/data-samples/${samples[0].id}`)).body;
      expect(sample.rev).toMatch(/^2-/);
      expect(sample.delegations).toContain(patient.id);

      const second = await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(second.body.statuses).toEqual({
        dataSamples: { success: true, error: null, modified: 0 },
        healthcareElements: { success: true, error: null, modified: 0 },
        patient: { success: true, error: null, modified: 0 },
      });
      expect(second.body.patient.rev).toBe(first.body.patient.rev);
    });

    it('gives the patient user its full record and records, which it could not read before', async () => {
      const { patient, samples, elements } = await patientWithRecords(2, 1);
      const { session: me } = await patientUser(t.http, admin, patient.id);
      expect((await me.get(`/api/v1/patients/${patient.id}/administrative`)).body).toEqual({
        id: patient.id,
        rev: patient.rev,
        firstName: patient.firstName,
        lastName: patient.lastName,
        names: patient.names,
        gender: 'unknown',
        languages: [],
        active: true,
      });
      expect((await me.get(`/api/v1/patients/${patient.id}`)).status).toBe(404);
      expect((await me.get(`/api/v1/data-samples?patientId=${patient.id}`)).body).toEqual({ rows: [], nextCursor: null });
      expect((await me.get(`/api/v1/data-samples/${samples[0].id}`)).status).toBe(404);
      expect((await me.get(`/api/v1/healthcare-elements/${elements[0].id}`)).status).toBe(404);
      expect((await me.get('/api/v1/patients')).body.rows).toEqual([]);

      expect((await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`)).status).toBe(200);

      expect((await me.get(`/api/v1/patients/${patient.id}`)).status).toBe(200);
      expect((await me.get('/api/v1/patients')).body.rows.map((p: { id: string }) => p.id)).toEqual([patient.id]);
      const mySamples = await me.get(`/api/v1/data-samples?patientId=${patient.id}`);
      expect(mySamples.body.rows.map((r: { id: string }) => r.id).sort()).toEqual(samples.map((s) => s.id).sort());
      expect((await me.get(`/api/v1/healthcare-elements/${elements[0].id}`)).status).toBe(200);
      // Reading is all a patient user does with them.
      expect((await me.put(`/api/v1/data-samples/${samples[0].id}`, samples[0])).status).toBe(403);
      expect((await me.post('/api/v1/data-samples', { patientId: patient.id, content: {} })).status).toBe(403);
    });

    it('shares only what the calling practitioner can read', async () => {
      const { patient } = await patientWithRecords(1, 0);
      await doctor.session.post(`/api/v1/patients/${patient.id}/delegations`, { dataOwnerId: colleague.practitioner.id });
      const colleaguesSample = await createRecord(colleague.session, 'data-samples', patient.id);
      await patientUser(t.http, admin, patient.id);
      const report = await colleague.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(report.body.statuses.dataSamples.modified).toBe(1);
      expect((await admin.get(`/api/v1/data-samples/${colleaguesSample.id}`)).body.delegations).toContain(patient.id);
      const byDoctor = await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(byDoctor.body.statuses).toMatchObject({ dataSamples: { modified: 1 }, patient: { modified: 0 } });
    });

    it('refuses a patient without a user with PATIENT_HAS_NO_USER, and others get 404', async () => {
      const { patient } = await patientWithRecords(1, 0);
      const response = await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('PATIENT_HAS_NO_USER');
      expect((await colleague.session.post(`/api/v1/patients/${patient.id}/share-all-data`)).status).toBe(404);
      expect((await doctor.session.post(`/api/v1/patients/${NO_SUCH_ID}/share-all-data`)).status).toBe(404);
    });

    it('refuses a patient invited but not activated (or whose user is disabled) with PATIENT_NOT_ACTIVATED, sharing nothing', async () => {
      const email = `${unique('argan')}@moliere.fr`;
      const { patient } = await patientWithRecords(1, 0, {
        addresses: [{ addressType: 'home', telecoms: [{ system: 'email', value: email }] }],
      });
      const invited = await doctor.session.post(`/api/v1/patients/${patient.id}/invite`, {});
      expect(invited.status).toBe(201);
      expect(invited.body.status).toBe('REGISTERING');
      const response = await doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('PATIENT_NOT_ACTIVATED');
      expect(response.body.detail).toMatch(/activate/);
      expect((await admin.get(`/api/v1/patients/${patient.id}`)).body.delegations).toEqual([doctor.practitioner.id]);

      const { patient: disabledOnes } = await patientWithRecords(0, 0);
      await createUser(admin, { patientId: disabledOnes.id, status: 'DISABLED' });
      const disabled = await doctor.session.post(`/api/v1/patients/${disabledOnes.id}/share-all-data`);
      expect(disabled.status).toBe(400);
      expect(disabled.body.code).toBe('PATIENT_NOT_ACTIVATED');
    });

    it('loses no update under concurrent runs: the counts add up to the number of records', async () => {
      const { patient } = await patientWithRecords(12, 5);
      await patientUser(t.http, admin, patient.id);
      const runs = await Promise.all(Array.from({ length: 8 }, () => doctor.session.post(`/api/v1/patients/${patient.id}/share-all-data`)));
      const total = (key: string) => runs.reduce((sum, r) => sum + (r.body?.statuses?.[key]?.modified ?? 0), 0);
      // Read back from the database: each of the 18 records (12 samples, 5 elements, the patient) must be shared with the
      // patient by exactly one update (rev 2). Lost: a record not shared, or updated twice.
      const [found] = await sql(
        t.database.url,
        `SELECT
           (SELECT count(*) FROM medical_records r WHERE r.patient_id = $1 AND r.deletion_date IS NULL AND r.rev LIKE '2-%'
              AND EXISTS (SELECT 1 FROM medical_record_delegations d WHERE d.record_id = r.id AND d.data_owner_id = $1))::int
         + (SELECT count(*) FROM patients p WHERE p.id = $1 AND p.rev LIKE '2-%'
              AND EXISTS (SELECT 1 FROM patient_delegations d WHERE d.patient_id = p.id AND d.data_owner_id = $1))::int AS shared`,
        [patient.id],
      );
      recordRace(
        '8 concurrent share-all-data of one patient (17 records)',
        runs.map((r) => r.status),
        {
          recordsShared: total('dataSamples') + total('healthcareElements') + total('patient'),
          recordsFoundShared: found.shared,
          lost: 18 - found.shared,
        },
      );
      expect(runs.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(found.shared).toBe(18);
      expect(total('dataSamples')).toBe(12);
      expect(total('healthcareElements')).toBe(5);
      expect(total('patient')).toBe(1);
      const samples = await admin.get(`/api/v1/data-samples?patientId=${patient.id}`);
      expect(samples.body.rows).toHaveLength(12);
      expect(
        samples.body.rows.every(
          (r: { rev: string; delegations: string[] }) => r.rev.startsWith('2-') && r.delegations.includes(patient.id),
        ),
      ).toBe(true);
    });

    it("reports a record kind its caller's access policy keeps it from updating as not shared", async () => {
      const restricted = await practitionerUser(t.http, admin, {
        accessPolicy: {
          rule: [
            { resource: '*', action: '*', effect: 'Allow' },
            { resource: 'HealthcareElement', action: 'update', effect: 'Deny' },
          ],
        },
      });
      const patient = await createPatient(restricted.session);
      await createRecord(restricted.session, 'data-samples', patient.id);
      await createRecord(restricted.session, 'healthcare-elements', patient.id);
      await patientUser(t.http, admin, patient.id);
      const report = await restricted.session.post(`/api/v1/patients/${patient.id}/share-all-data`);
      expect(report.body.statuses).toEqual({
        dataSamples: { success: true, error: null, modified: 1 },
        healthcareElements: { success: false, error: expect.stringContaining('access policy'), modified: 0 },
        patient: { success: true, error: null, modified: 1 },
      });
    });
  });
});
