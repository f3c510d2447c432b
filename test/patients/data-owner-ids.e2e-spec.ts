import { randomUUID } from 'node:crypto';
import { createPatient, createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { openNotificationStream } from '../support/event-stream';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { lineValue, startSmsGateway } from '../support/mail-server';
import { createUser, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

function mobileNumber(): string {
  return `+3247${Math.floor(Math.random() * 1e7)
    .toString()
    .padStart(7, '0')}`;
}

describe('Patients and practitioners share one id space (the REST contract: identifiers; roles and data owners)', () => {
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    sms = await startSmsGateway();
    t = await startTestApp({ env: { SMS_GATEWAY_URL: sms.url } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(async () => {
    await t.close();
    await sms.close();
  });

  const practitionerUser = () =>
    createPractitionerUser(
      admin,
      { email: `${unique('hcp')}@hospital.care`, mobile: mobileNumber() },
      { firstName: 'Hippo', lastName: 'Crates' },
    );

  /** Invites a patient by SMS (to its mobile) and activates it as its client would: the patient user's session. */
  async function inviteAndActivate(practitioner: HttpClient, patientId: string, mobile: string) {
    const invited = await practitioner.post(`/api/v1/patients/${patientId}/invite`, { channel: 'sms' });
    expect(invited.status).toBe(201);
    const deadline = Date.now() + 10_000;
    while (!sms.messages.some((m) => m.to === mobile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const message = sms.messages.find((m) => m.to === mobile);
    if (!message) throw new Error(`no SMS to ${mobile}`);
    const activated = await t.http.post('/api/v1/auth/activate', {
      login: lineValue(message.body, 'Login'),
      token: lineValue(message.body, 'Token'),
      publicKey: publicKeyHex(),
    });
    expect(activated.status).toBe(200);
    return { user: activated.body.user, accessToken: activated.body.accessToken as string, client: t.http.as(activated.body.accessToken) };
  }

  /** A colleague with a NEW_USER_OWN_DATA_ACCESS notification: one of its patients was invited and activated. */
  async function colleagueWithNotification() {
    const colleague = await practitionerUser();
    const mobile = mobileNumber();
    const patient = await createPatient(colleague.client, { mobile });
    await inviteAndActivate(colleague.client, patient.id, mobile);
    const [notification] = (await colleague.client.get(`/api/v1/notifications?responsible=${patient.id}`)).body.rows;
    expect(notification).toMatchObject({
      recipient: colleague.practitioner.id,
      status: 'pending',
      properties: { publicKey: expect.any(String) },
    });
    return { ...colleague, notification };
  }

  describe('a create with an id any data owner has is 400 DUPLICATE_ID', () => {
    it("refuses a patient with a practitioner's id, however it is spelled", async () => {
      const doctor = await practitionerUser();
      const colleague = await practitionerUser();
      for (const id of [colleague.practitioner.id, colleague.practitioner.id.toUpperCase()]) {
        const response = await doctor.client.post('/api/v1/patients', { id, firstName: 'Argan', lastName: 'Poquelin' });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('DUPLICATE_ID');
      }
      expect((await admin.get(`/api/v1/patients/${colleague.practitioner.id}`)).status).toBe(404);
    });

    it("refuses a practitioner with a patient's id", async () => {
      const doctor = await practitionerUser();
      const patient = await createPatient(doctor.client);
      const response = await admin.post('/api/v1/practitioners', { id: patient.id, firstName: 'Thomas', lastName: 'Diafoirus' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('DUPLICATE_ID');
      expect((await admin.get(`/api/v1/practitioners/${patient.id}`)).status).toBe(404);
    });

    it('lets exactly one of a patient and a practitioner created at once with one id win', async () => {
      const doctor = await practitionerUser();
      const id = randomUUID();
      const answers = await Promise.all([
        doctor.client.post('/api/v1/patients', { id, firstName: 'Argan' }),
        admin.post('/api/v1/practitioners', { id, firstName: 'Thomas' }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 400]);
      expect(answers.find((a) => a.status === 400)!.body.code).toBe('DUPLICATE_ID');
      expect(await sql(t.database.url, 'SELECT count(*)::int AS n FROM data_owners WHERE id = $1', [id])).toEqual([{ n: 1 }]);
    });
  });

  describe('autoDelegations only name existing data owners (else 400 UNKNOWN_DATA_OWNER)', () => {
    it('on create', async () => {
      const doctor = await practitionerUser();
      const patient = await createPatient(doctor.client);
      const unknown = randomUUID();
      const refused = await admin.post('/api/v1/users', {
        login: unique('secretary'),
        autoDelegations: { all: [doctor.practitioner.id, unknown] },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('UNKNOWN_DATA_OWNER');
      expect(refused.body.detail).toContain(unknown);
      expect(refused.body.detail).not.toContain(doctor.practitioner.id);

      const { user } = await createUser(admin, { autoDelegations: { all: [doctor.practitioner.id.toUpperCase(), patient.id] } });
      expect(user.autoDelegations).toEqual({ all: [doctor.practitioner.id.toUpperCase(), patient.id] });
    });

    it('on modify, by an admin or by the user itself; a deleted data owner no longer exists', async () => {
      const doctor = await practitionerUser();
      const gone = await admin.post('/api/v1/practitioners', { firstName: 'Gone' });
      expect((await admin.delete(`/api/v1/practitioners/${gone.body.id}`)).status).toBe(200);
      const current = (await doctor.client.get('/api/v1/users/current')).body;

      for (const [who, client] of [
        ['admin', admin],
        ['self', doctor.client],
      ] as const) {
        for (const id of [randomUUID(), gone.body.id]) {
          const response = await client.put(`/api/v1/users/${current.id}`, { ...current, autoDelegations: { all: [id] } });
          expect([who, response.status, response.body.code]).toEqual([who, 400, 'UNKNOWN_DATA_OWNER']);
        }
      }
      const colleague = await practitionerUser();
      const accepted = await doctor.client.put(`/api/v1/users/${current.id}`, {
        ...current,
        autoDelegations: { all: [colleague.practitioner.id] },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body.autoDelegations).toEqual({ all: [colleague.practitioner.id] });
    });
  });

  describe("the finding: a patient made with a colleague's practitioner id, invited and activated", () => {
    it('cannot be made', async () => {
      const colleague = await colleagueWithNotification();
      const attacker = await practitionerUser();
      const response = await attacker.client.post('/api/v1/patients', {
        id: colleague.practitioner.id,
        firstName: 'Mallory',
        addresses: [{ addressType: 'home', telecoms: [{ system: 'mobile', value: mobileNumber() }] }],
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('DUPLICATE_ID');
      expect((await attacker.client.get(`/api/v1/patients/${colleague.practitioner.id}`)).status).toBe(404);
    });

    it("even with the id space bypassed, the patient user lists, hears and cancels none of the colleague's notifications", async () => {
      const colleague = await colleagueWithNotification();
      const attacker = await practitionerUser();
      // As if a collision got past PostgreSQL (a bug, a restore, a hand-made row): drop the colleague's claim on its id.
      await sql(
        t.database.url,
        `BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM data_owners WHERE id = '${colleague.practitioner.id}'; COMMIT`,
      );
      const mobile = mobileNumber();
      const impostor = await createPatient(attacker.client, { mobile }, { id: colleague.practitioner.id });
      expect(impostor.id).toBe(colleague.practitioner.id);
      const patientUser = await inviteAndActivate(attacker.client, impostor.id, mobile);
      expect(patientUser.user.patientId).toBe(colleague.practitioner.id);

      // The list: nothing of the colleague's (the patient ids and public keys of its patients).
      expect((await patientUser.client.get('/api/v1/notifications')).body.rows).toEqual([]);
      expect((await patientUser.client.get(`/api/v1/notifications/${colleague.notification.id}`)).status).toBe(404);

      // Cancelling: as if it did not exist, and it stays pending.
      const cancel = await patientUser.client.put(`/api/v1/notifications/${colleague.notification.id}/status`, { status: 'cancelled' });
      expect(cancel.status).toBe(404);
      expect((await colleague.client.get(`/api/v1/notifications/${colleague.notification.id}`)).body.status).toBe('pending');

      // The live stream: the colleague hears its next notification, the patient user does not.
      const theirs = await openNotificationStream(t.baseUrl, colleague.client.tokens.accessToken);
      const impostors = await openNotificationStream(t.baseUrl, patientUser.accessToken);
      try {
        const mobile2 = mobileNumber();
        const next = await createPatient(colleague.client, { mobile: mobile2 });
        await inviteAndActivate(colleague.client, next.id, mobile2);
        await theirs.waitFor((n) => n.responsible === next.id);
        await new Promise((r) => setTimeout(r, 300));
        expect(impostors.status).toBe(200);
        expect(impostors.events).toEqual([]);
      } finally {
        await theirs.close();
        await impostors.close();
      }
      expect((await patientUser.client.get('/api/v1/notifications')).body.rows).toEqual([]);
    });
  });
});
