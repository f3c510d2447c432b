import { EventEmitter2 } from '@nestjs/event-emitter';
import { InvitationAccepted } from '@careid/invitations';
import { recordRace } from '../support/figures';
import { createPatient, createPractitionerUser } from '../support/care';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { lineValue, startSmsGateway, TestMailServer } from '../support/mail-server';
import { loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

describe("Inviting an existing patient (iCure's createAndInviteUser)", () => {
  const mail = new TestMailServer();
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;

  beforeAll(async () => {
    await mail.start();
    sms = await startSmsGateway();
    t = await startTestApp({ env: { SMTP_URL: mail.url, SMS_GATEWAY_URL: sms.url } });
    admin = await loginAsAdmin(t.http);
    doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care`, mobile: '+32470000001' });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
    await sms.close();
  });

  it('creates the REGISTERING user and mails its login and token, the practitioner as reply-to', async () => {
    const email = `${unique('argan')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email });
    const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière Health',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      login: email,
      email,
      name: email,
      patientId: patient.id,
      status: 'REGISTERING',
      roles: [],
      properties: {},
    });
    expect(response.body.passwordHash).toBeUndefined();
    expect(response.body.rev).toMatch(/^1-/);

    const [message] = await mail.waitFor(email);
    expect(message.replyTo).toBe(doctor.practitioner.addresses[0].telecoms[0].value);
    expect(message.subject).toContain('Molière Health');
    expect(lineValue(message.text, 'Login')).toBe(email);
    const token = lineValue(message.text, 'Token');
    expect(message.text).toContain('https://app.example/login');
    expect(message.html).toContain(token);
    expect(message.html).toContain(email);
    // The token is for activation only: /auth/login refuses the registering user whatever the credential.
    const login = await t.http.post('/api/v1/auth/login', { login: email, password: token });
    expect([login.status, login.body.code]).toEqual([401, 'ACCOUNT_NOT_ACTIVE']);
  });

  it('accepts the invitation when the patient activates: one InvitationAccepted event and audit entry, not again on a second activation', async () => {
    const accepted: InvitationAccepted[] = [];
    const listener = (event: InvitationAccepted) => accepted.push(event);
    const emitter = t.app.get(EventEmitter2);
    emitter.on(InvitationAccepted.eventName, listener);
    try {
      const email = `${unique('argan')}@moliere.fr`;
      const patient = await createPatient(doctor.client, { email });
      const user = (await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {})).body;
      const [message] = await mail.waitFor(email);
      const [invitation] = (await admin.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows;
      expect(invitation).toMatchObject({ userId: user.id, status: 'PENDING' });

      const activated = await t.http.post('/api/v1/auth/activate', {
        login: email,
        token: lineValue(message.text, 'Token'),
        publicKey: publicKeyHex(),
      });
      expect(activated.status).toBe(200);
      const auditOfAccept = async () =>
        (await admin.get(`/api/v1/audit-events?type=INVITATION_ACCEPTED&actor=${user.id}`)).body.rows as Record<string, unknown>[];
      expect(await auditOfAccept()).toEqual([
        expect.objectContaining({
          targetType: 'Invitation',
          targetId: invitation.id,
          actorId: user.id,
          actorLogin: email,
          outcome: 'success',
        }),
      ]);
      expect(accepted).toEqual([expect.objectContaining({ invitationId: invitation.id, userId: user.id })]);
      expect((await admin.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows[0].status).toBe('ACCEPTED');

      // Activating again (with a new token) is refused (409), so nothing more is announced or audited.
      const me = t.http.as(activated.body.accessToken);
      const token = (await me.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 })).body.token;
      expect((await t.http.post('/api/v1/auth/activate', { login: email, token, publicKey: publicKeyHex() })).status).toBe(409);
      expect(await auditOfAccept()).toHaveLength(1);
      expect(accepted).toHaveLength(1);
    } finally {
      emitter.off(InvitationAccepted.eventName, listener);
    }
  });

  it('sends an SMS with the login and token when the patient only has a mobile', async () => {
    const mobile = `+3247${Math.floor(Math.random() * 1e7)
      .toString()
      .padStart(7, '0')}`;
    const patient = await createPatient(doctor.client, { mobile });
    const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {});
    expect(response.status).toBe(201);
    expect(response.body.login).toBe(mobile);
    const deadline = Date.now() + 10_000;
    while (!sms.messages.some((m) => m.to === mobile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const message = sms.messages.find((m) => m.to === mobile)!;
    expect(lineValue(message.body, 'Login')).toBe(mobile);
    const activated = await t.http.post('/api/v1/auth/activate', {
      login: mobile,
      token: lineValue(message.body, 'Token'),
      publicKey: publicKeyHex(),
    });
    expect(activated.status).toBe(200);
  });

  describe('preconditions, each with its own code', () => {
    it('the practitioner needs an email (the reply-to)', async () => {
      const mute = await createPractitionerUser(admin, {});
      const patient = await createPatient(mute.client, { email: `${unique('p')}@x.org` });
      const response = await mute.client.post(`/api/v1/patients/${patient.id}/invite`, {});
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('PRACTITIONER_HAS_NO_EMAIL');
      expect(response.body.detail).toMatch(/email/);
    });

    it('the patient needs an email or a mobile', async () => {
      const patient = await createPatient(doctor.client, {});
      const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {});
      expect(response.body.code).toBe('PATIENT_HAS_NO_CONTACT');
      const byMail = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { channel: 'email' });
      expect(byMail.body.code).toBe('PATIENT_HAS_NO_EMAIL');
      const bySms = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { channel: 'sms' });
      expect(bySms.body.code).toBe('PATIENT_HAS_NO_MOBILE');
    });

    it('no other user may use the email', async () => {
      const email = `${unique('taken')}@x.org`;
      await admin.post('/api/v1/users', { login: unique(), email });
      const patient = await createPatient(doctor.client, { email: email.toUpperCase() });
      const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {});
      expect(response.body.code).toBe('EMAIL_ALREADY_USED');
    });

    it('the patient must not have a user yet', async () => {
      const patient = await createPatient(doctor.client, { email: `${unique('p')}@x.org` });
      expect((await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {})).status).toBe(201);
      const again = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {});
      expect(again.body.code).toBe('PATIENT_ALREADY_HAS_USER');
    });

    it('the practitioner needs a delegation on the patient; other roles may not invite', async () => {
      const stranger = await createPractitionerUser(admin, { email: `${unique('hcp')}@x.org` });
      const patient = await createPatient(doctor.client, { email: `${unique('p')}@x.org` });
      expect((await stranger.client.post(`/api/v1/patients/${patient.id}/invite`, {})).status).toBe(404);
      expect((await admin.post(`/api/v1/patients/${patient.id}/invite`, {})).body.code).toBe('PRACTITIONER_REQUIRED');
      const plain = await admin.post('/api/v1/users', { login: unique('plain'), passwordHash: 'plain user password' });
      const plainClient = await loginAs(t.http, plain.body.login, 'plain user password');
      expect((await plainClient.post(`/api/v1/patients/${patient.id}/invite`, {})).status).toBe(403);
      const byAdmin = await admin.post(`/api/v1/patients/${patient.id}/invite`, { practitionerId: doctor.practitioner.id });
      expect(byAdmin.status).toBe(201);
    });
  });

  it('of 10 concurrent invites of one patient, exactly one creates a user', async () => {
    const email = `${unique('race')}@x.org`;
    const patient = await createPatient(doctor.client, { email });
    const results = await Promise.all(Array.from({ length: 10 }, () => doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {})));
    const users = await admin.get(`/api/v1/users?patientId=${patient.id}`);
    await mail.waitFor(email).catch(() => []); // a missing message is counted below, not thrown here
    await new Promise((r) => setTimeout(r, 300)); // time for a duplicate to show up, if there were one
    const mails = mail.to(email).length;
    recordRace(
      '10 concurrent invites of one patient',
      results.map((r) => r.status),
      // Users and messages missing or duplicated.
      { usersAfter: users.body.rows.length, mails, lost: Math.abs(users.body.rows.length - 1) + Math.abs(mails - 1) },
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(9);
    expect(results.some((r) => r.status >= 500)).toBe(false);
    expect(users.body.rows).toHaveLength(1);
    expect(mails).toBe(1);
  });
});
