import { createPatient, registeringPatientUser, practitionerUser } from '../patients/fixtures';
import { openNotificationStream } from '../support/event-stream';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { loginAs, loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery staple'; // createUser's default
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An open stream lives no longer than the session it was opened with. */
describe('The notification stream ends with its session', () => {
  let t: TestApp;
  let admin: HttpClient;
  const publicKey = publicKeyHex();

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  /** A patient of the practitioner, whose activation (`request`) sends the practitioner an access request. */
  async function patientOf(practitioner: { session: HttpClient }) {
    const patient = await createPatient(practitioner.session);
    const { user, token } = await registeringPatientUser(admin, patient.id);
    return {
      id: patient.id as string,
      async requestAccess() {
        expect((await t.http.post('/api/v1/auth/activate', { login: user.login, token, publicKey })).status).toBe(200);
      },
    };
  }

  const current = async (userId: string) => (await admin.get(`/api/v1/users/${userId}`)).body;

  it("ends the user's other sessions' streams when it changes its password, and keeps the calling session's", async () => {
    const doctor = await practitionerUser(t.http, admin);
    const patient = await patientOf(doctor);
    const otherSession = await loginAs(t.http, doctor.user.login, PASSWORD);
    const stream = await openNotificationStream(t.baseUrl, otherSession.tokens.accessToken);
    const callingStream = await openNotificationStream(t.baseUrl, doctor.session.tokens.accessToken);
    expect([stream.status, callingStream.status]).toEqual([200, 200]);

    const changedAt = Date.now();
    const changed = await doctor.session.put(`/api/v1/users/${doctor.user.id}`, {
      ...(await current(doctor.user.id)),
      passwordHash: 'a brand new passphrase',
      currentPassword: PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect(await stream.waitForEnd(changedAt, 2000)).toBeLessThan(1000);

    await patient.requestAccess();
    await callingStream.waitFor((n) => n.responsible === patient.id, 5000);
    await sleep(300);
    expect(stream.events).toEqual([]);
    await stream.close();
    await callingStream.close();
  });

  it('ends when an admin disables the user, or deletes it', async () => {
    const [disabled, deleted] = await Promise.all([practitionerUser(t.http, admin), practitionerUser(t.http, admin)]);
    const patients = await Promise.all([patientOf(disabled), patientOf(deleted)]);
    const streams = await Promise.all(
      [disabled, deleted].map((doctor) => openNotificationStream(t.baseUrl, doctor.session.tokens.accessToken)),
    );

    const changedAt = Date.now();
    expect(
      (await admin.put(`/api/v1/users/${disabled.user.id}`, { ...(await current(disabled.user.id)), status: 'DISABLED' })).status,
    ).toBe(200);
    expect((await admin.delete(`/api/v1/users/${deleted.user.id}`)).status).toBe(200);
    for (const stream of streams) expect(await stream.waitForEnd(changedAt, 2000)).toBeLessThan(1000);

    for (const patient of patients) await patient.requestAccess();
    await sleep(300);
    for (const stream of streams) {
      expect(stream.events).toEqual([]);
      await stream.close();
    }
  });

  it("stays open through a change that keeps the session, and other users' streams stay open", async () => {
    const [doctor, bystander] = await Promise.all([practitionerUser(t.http, admin), practitionerUser(t.http, admin)]);
    const stream = await openNotificationStream(t.baseUrl, doctor.session.tokens.accessToken);
    const bystanderStream = await openNotificationStream(t.baseUrl, bystander.session.tokens.accessToken);

    const renamed = await doctor.session.put(`/api/v1/users/${doctor.user.id}`, { ...(await current(doctor.user.id)), name: 'Dr Purgon' });
    expect(renamed.status).toBe(200);
    expect(
      (await admin.put(`/api/v1/users/${bystander.user.id}`, { ...(await current(bystander.user.id)), status: 'DISABLED' })).status,
    ).toBe(200);
    await bystanderStream.waitForEnd(Date.now(), 2000);
    await sleep(300);
    expect(stream.ended).toBe(false);

    const patient = await patientOf(doctor);
    await patient.requestAccess();
    await stream.waitFor((n) => n.responsible === patient.id, 5000);
    await stream.close();
  });
});
