import { createPatient, registeringPatientUser, practitionerUser } from '../patients/fixtures';
import { openNotificationStream } from '../support/event-stream';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The notifications contract: the list and the stream carry the caller's own notifications; an admin role widens neither. */
describe('Admins list and stream only their own notifications', () => {
  let t: TestApp;
  let admin: HttpClient;
  const publicKey = publicKeyHex();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  /** A patient of the practitioner activates its user: the practitioner gets an access request. */
  async function accessRequestTo(practitioner: { session: HttpClient }): Promise<string> {
    const patient = await createPatient(practitioner.session);
    const { user, token } = await registeringPatientUser(admin, patient.id);
    expect((await t.http.post('/api/v1/auth/activate', { login: user.login, token, publicKey })).status).toBe(200);
    return patient.id;
  }

  it('shows an admin without a data owner none, on the list or the stream', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const [adminStream, doctorStream] = await Promise.all([
      openNotificationStream(t.baseUrl, admin.defaultToken!),
      openNotificationStream(t.baseUrl, doctor.session.tokens.accessToken),
    ]);
    const patientId = await accessRequestTo(doctor);
    const [addressed] = (await doctor.session.get(`/api/v1/notifications?responsible=${patientId}`)).body.rows;
    expect(addressed).toBeDefined();
    await doctorStream.waitFor((n) => n.id === addressed.id, 5000);
    await sleep(300);

    const listed = await admin.get('/api/v1/notifications?limit=1000');
    expect(listed.status).toBe(200);
    expect(listed.body.rows).toEqual([]);
    expect((await admin.get(`/api/v1/notifications?responsible=${patientId}`)).body.rows).toEqual([]);
    expect(adminStream.events).toEqual([]);
    await Promise.all([adminStream.close(), doctorStream.close()]);

    // The contract still lets an admin move any notification along its workflow.
    expect((await admin.put(`/api/v1/notifications/${addressed.id}/status`, { status: 'cancelled' })).status).toBe(200);
  });

  it("shows an admin standing for a practitioner that practitioner's notifications only", async () => {
    const colleague = await practitionerUser(t.http, admin);
    const adminDoctor = await practitionerUser(t.http, admin, { roles: ['ADMIN'] });
    const stream = await openNotificationStream(t.baseUrl, adminDoctor.session.tokens.accessToken);
    const theirs = await accessRequestTo(colleague);
    const own = await accessRequestTo(adminDoctor);

    const streamed = await stream.waitFor((n) => n.responsible === own, 5000);
    expect(streamed.recipient).toBe(adminDoctor.practitioner.id);
    await sleep(300);
    expect(stream.events.map((n) => n.responsible)).toEqual([own]);
    await stream.close();

    const listed = (await adminDoctor.session.get('/api/v1/notifications?limit=1000')).body.rows;
    expect(listed.map((n: { responsible: string }) => n.responsible)).toEqual([own]);
    expect((await adminDoctor.session.get(`/api/v1/notifications?responsible=${theirs}`)).body.rows).toEqual([]);
  });
});
