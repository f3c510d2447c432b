import { createPatient, createPractitionerUser } from '../support/care';
import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/** A practitioner's front desk: the patient invitations it sent, listed, read, resent and revoked; no one else's. */
describe('Invitations a practitioner sent', () => {
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;
  let colleague: Awaited<ReturnType<typeof createPractitionerUser>>;

  async function invitedBy(practitioner: HttpClient) {
    const email = `${unique('argan')}@patients.example`;
    const patient = await createPatient(practitioner, { email });
    expect((await practitioner.post(`/api/v1/patients/${patient.id}/invite`, {})).status).toBe(201);
    const [invitation] = (await admin.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows;
    return invitation;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
    doctor = await createPractitionerUser(admin, { email: 'purgon@clinic.example' });
    colleague = await createPractitionerUser(admin, { email: 'diafoirus@clinic.example' });
  });
  afterAll(() => t.close());

  it('lists only its own patient invitations, and reads them', async () => {
    const own = await invitedBy(doctor.client);
    const others = await invitedBy(colleague.client);
    await admin.post('/api/v1/invitations', { email: `${unique('staff')}@clinic.example`, resource: { resourceType: 'Practitioner' } });

    const listed = await doctor.client.get('/api/v1/invitations?limit=1000');
    expect(listed.status).toBe(200);
    const ids = listed.body.rows.map((row: { id: string }) => row.id);
    expect(ids).toContain(own.id);
    expect(ids).not.toContain(others.id);
    expect(listed.body.rows.every((row: { kind: string }) => row.kind === 'patient')).toBe(true);
    expect((await doctor.client.get(`/api/v1/invitations/${own.id}`)).body).toMatchObject({ id: own.id, status: 'PENDING' });

    const adminList = (await admin.get('/api/v1/invitations?limit=1000')).body.rows.map((row: { id: string }) => row.id);
    expect(adminList).toEqual(expect.arrayContaining([own.id, others.id]));
  });

  it("resends and revokes its own, and gets 404 for a colleague's, which stays as it was", async () => {
    const own = await invitedBy(doctor.client);
    const others = await invitedBy(colleague.client);
    expect((await doctor.client.post(`/api/v1/invitations/${own.id}/resend`)).status).toBe(200);
    const revoked = await doctor.client.delete(`/api/v1/invitations/${own.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('REVOKED');

    for (const attempt of [
      doctor.client.get(`/api/v1/invitations/${others.id}`),
      doctor.client.post(`/api/v1/invitations/${others.id}/resend`),
      doctor.client.delete(`/api/v1/invitations/${others.id}`),
    ]) {
      const response = await attempt;
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('INVITATION_NOT_FOUND');
    }
    expect((await admin.get(`/api/v1/invitations/${others.id}`)).body.status).toBe('PENDING');
  });

  it('refuses other users with 403, whether or not the invitation exists', async () => {
    const own = await invitedBy(doctor.client);
    const { login, password } = await createUser(admin);
    const plain = await loginAs(t.http, login, password);
    expect((await plain.get('/api/v1/invitations')).status).toBe(403);
    expect((await plain.get(`/api/v1/invitations/${own.id}`)).status).toBe(403);
  });
});
