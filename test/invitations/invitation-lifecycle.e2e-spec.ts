import type { Browser } from 'playwright-core';
import { expectTicketRefused, launchBrowser } from '../support/browser';
import { createPatient, createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { recordRace } from '../support/figures';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { lineValue, linkIn, startSmsGateway, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const ticketOf = (url: string) => new URL(url).hash.replace('#ticket=', '');
const PASSWORD = 'winter is coming';
/** The shortest lifetime both invites accept: the invitations made to expire live this long. */
const SHORTEST_SECONDS = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The invitation lifecycle of both kinds (patient: iCure's createAndInviteUser; profile: Oystehr's invite): EXPIRED
 * stored by the sweep, renewal by inviting again, resend of pending and expired invitations, revocation that leaves
 * the REGISTERING user no way in. The invitations that must expire are made first, with the shortest lifetime; the
 * tests that need no expiry run during their minute, those that do wait for its end.
 */
describe('Invitation lifecycle', () => {
  const mail = new TestMailServer();
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  let t: TestApp;
  let admin: HttpClient;
  /** An admin with a name: the set-password page names the inviter. */
  let ada: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;
  let expiring: Awaited<ReturnType<typeof makeExpiringInvitations>>;

  const newMobile = () =>
    `+3247${Math.floor(Math.random() * 1e7)
      .toString()
      .padStart(7, '0')}`;
  const inviteProfile = (client: HttpClient, fields: Record<string, unknown> = {}) =>
    client.post('/api/v1/invitations', {
      email: `${unique('jon')}@winterfell.example`,
      firstName: 'Jon',
      lastName: 'Snow',
      resource: { resourceType: 'Practitioner' },
      ...fields,
    });
  const invitePatient = (patientId: string, fields: Record<string, unknown> = {}) =>
    doctor.client.post(`/api/v1/patients/${patientId}/invite`, fields);
  const invitationsOf = async (email: string) =>
    (await admin.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows as Record<string, any>[];
  const activate = (login: string, token: string) => t.http.post('/api/v1/auth/activate', { login, token, publicKey: publicKeyHex() });
  const lastSmsTo = async (mobile: string, count = 1) => {
    const deadline = Date.now() + 10_000;
    while (sms.messages.filter((m) => m.to === mobile).length < count && Date.now() < deadline) await sleep(50);
    const messages = sms.messages.filter((m) => m.to === mobile);
    expect(messages).toHaveLength(count);
    return messages[count - 1].body;
  };

  /** A patient invited by email; its message's token. */
  async function invitedPatient(fields: Record<string, unknown> = {}) {
    const email = `${unique('argan')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email });
    const invited = await invitePatient(patient.id, fields);
    expect(invited.status).toBe(201);
    const [message] = await mail.waitFor(email);
    const [invitation] = await invitationsOf(email);
    return { email, patient, user: invited.body, invitation, token: lineValue(message.text, 'Token') };
  }

  async function makeExpiringInvitations() {
    const short = { tokenValiditySeconds: SHORTEST_SECONDS };
    const renewedPatient = await invitedPatient(short);
    const deletedPatient = await invitedPatient(short);
    const racedPatient = await invitedPatient(short);
    const mobile = newMobile();
    const smsPatient = await createPatient(doctor.client, { mobile });
    const smsUser = (await invitePatient(smsPatient.id, short)).body;
    const smsToken = lineValue(await lastSmsTo(mobile), 'Token');
    const smsInvitation = (await admin.get(`/api/v1/invitations?status=PENDING&kind=patient`)).body.rows.find(
      (row: { userId: string }) => row.userId === smsUser.id,
    );
    const profile = async (fields: Record<string, unknown>) => {
      const created = await inviteProfile(ada, { expiresInSeconds: SHORTEST_SECONDS, ...fields });
      expect(created.status).toBe(201);
      return created.body;
    };
    const resentProfile = await profile({ sendEmail: true });
    const renewedProfile = await profile({ redirectUrl: 'https://app.example/welcome' });
    const racedProfile = await profile({});
    const pageProfile = await profile({ sendEmail: true });
    const pageLink = linkIn((await mail.waitFor(pageProfile.email))[0].text, '/invitations/accept');
    const patients = [renewedPatient.invitation, deletedPatient.invitation, racedPatient.invitation, smsInvitation];
    const profiles = [resentProfile, renewedProfile, racedProfile, pageProfile];
    return {
      renewedPatient,
      deletedPatient,
      racedPatient,
      sms: { mobile, patient: smsPatient, user: smsUser, token: smsToken, invitation: smsInvitation },
      resentProfile,
      renewedProfile,
      racedProfile,
      pageProfile,
      pageLink,
      ids: [...patients, ...profiles].map((invitation) => invitation.id as string),
      expiresAt: Math.max(...[...patients, ...profiles].map((invitation) => invitation.expiresAt as number)),
    };
  }

  /** Waits until every invitation made to expire has, and the sweep (every OUTBOX_POLL_MS = 100 ms here) had time to run. */
  const untilExpired = () => sleep(Math.max(0, expiring.expiresAt + 1_000 - Date.now()));

  beforeAll(async () => {
    await mail.start();
    sms = await startSmsGateway();
    t = await startTestApp({ env: { SMTP_URL: mail.url, SMS_GATEWAY_URL: sms.url } });
    admin = await loginAsAdmin(t.http);
    const named = await createUser(admin, { name: 'Ada Lovelace', roles: ['ADMIN'] });
    ada = await loginAs(t.http, named.login, named.password);
    doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care`, mobile: '+32470000002' });
    expiring = await makeExpiringInvitations();
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await mail.stop();
    await sms.close();
  });

  describe('while the short invitations live', () => {
    it('answers a pending patient invitation with 400 PATIENT_ALREADY_HAS_USER; resend replaces its token with a new one', async () => {
      const { email, patient, user, invitation, token } = await invitedPatient();
      const again = await invitePatient(patient.id);
      expect([again.status, again.body.code]).toEqual([400, 'PATIENT_ALREADY_HAS_USER']);
      expect(again.body.detail).toMatch(/resend/);

      const resent = await admin.post(`/api/v1/invitations/${invitation.id}/resend`);
      expect(resent.status).toBe(200);
      expect(resent.body).toMatchObject({ id: invitation.id, kind: 'patient', status: 'PENDING', userId: user.id });
      expect(resent.body.invitationUrl).toBeUndefined();
      const [, second] = await mail.waitFor(email, 2);
      const newToken = lineValue(second.text, 'Token');
      expect(newToken).not.toBe(token);
      expect((await activate(email, token)).status).toBe(401);
      expect((await activate(email, newToken)).status).toBe(200);
      expect((await admin.get(`/api/v1/invitations/${invitation.id}`)).body.status).toBe('ACCEPTED');
    });

    it('revoking a patient invitation leaves no way in; inviting again renews it for the same user, and that token activates', async () => {
      const { email, patient, user, invitation, token } = await invitedPatient();
      const revoked = await admin.delete(`/api/v1/invitations/${invitation.id}`);
      expect([revoked.status, revoked.body.status]).toEqual([200, 'REVOKED']);
      expect((await activate(email, token)).status).toBe(401);
      expect((await t.http.post('/api/v1/auth/login', { login: email, password: token })).status).toBe(401);
      expect((await admin.get(`/api/v1/users/${user.id}`)).body.status).toBe('REGISTERING');

      const renewed = await invitePatient(patient.id, { redirectUrl: 'https://app.example/welcome' });
      expect(renewed.status).toBe(201);
      expect(renewed.body).toMatchObject({ id: user.id, status: 'REGISTERING' });
      const [, message] = await mail.waitFor(email, 2);
      const rows = await invitationsOf(email);
      expect(rows.map((row) => row.status)).toEqual(['PENDING', 'REVOKED']);
      expect(rows[0]).toMatchObject({ userId: user.id, redirectUrl: 'https://app.example/welcome' });
      const activated = await activate(email, lineValue(message.text, 'Token'));
      expect(activated.status).toBe(200);
      expect(activated.body.redirectUrl).toBe('https://app.example/welcome');
      expect((await invitationsOf(email)).map((row) => row.status)).toEqual(['ACCEPTED', 'REVOKED']);
    });

    it('revoking a profile invitation leaves no way in (accept, reset); inviting again renews it with the new roles', async () => {
      const invitation = (await inviteProfile(admin, { roles: ['nurse'] })).body;
      const active = await createUser(admin, {});
      expect((await admin.delete(`/api/v1/invitations/${invitation.id}`)).body.status).toBe('REVOKED');
      const accept = await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(invitation.invitationUrl), password: PASSWORD });
      expect([accept.status, accept.body.code]).toEqual([410, 'TICKET_REVOKED']);
      // A reset mails ACTIVE users only: the active user's mail arrives, the registering one's never does.
      expect((await t.http.post('/api/v1/auth/password-reset', { email: invitation.email })).status).toBe(202);
      expect((await t.http.post('/api/v1/auth/password-reset', { email: active.user.email })).status).toBe(202);
      await mail.waitFor(active.user.email);
      await sleep(300);
      expect(mail.to(invitation.email)).toEqual([]);
      const resetTickets = await sql(t.database.url, `SELECT 1 FROM tickets WHERE user_id = $1 AND kind = 'password-reset'`, [
        invitation.userId,
      ]);
      expect(resetTickets).toEqual([]);

      const renewed = await inviteProfile(admin, { email: invitation.email.toUpperCase(), roles: ['doctor'] });
      expect(renewed.status).toBe(201);
      expect(renewed.body).toMatchObject({ userId: invitation.userId, status: 'PENDING', roles: ['doctor'], profile: invitation.profile });
      expect(renewed.body.id).not.toBe(invitation.id);
      expect((await admin.get(`/api/v1/users/${invitation.userId}`)).body).toMatchObject({ roles: ['doctor'], status: 'REGISTERING' });
      const accepted = await t.http.post('/api/v1/invitations/accept', {
        ticket: ticketOf(renewed.body.invitationUrl),
        password: PASSWORD,
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body.redirectUrl).toBeUndefined();
      expect((await admin.get(`/api/v1/users/${invitation.userId}`)).body.status).toBe('ACTIVE');
    });

    it('renews by the other channel: the message goes to that address, and a resend goes there again', async () => {
      const email = `${unique('argan')}@moliere.fr`;
      const mobile = newMobile();
      const patient = await createPatient(doctor.client, { email, mobile });
      const user = (await invitePatient(patient.id, { channel: 'sms' })).body;
      expect(user.login).toBe(mobile);
      await lastSmsTo(mobile);
      const [bySms] = (await admin.get('/api/v1/invitations?status=PENDING&kind=patient')).body.rows.filter(
        (row: { userId: string }) => row.userId === user.id,
      );
      await admin.delete(`/api/v1/invitations/${bySms.id}`);

      expect((await invitePatient(patient.id, { channel: 'email' })).status).toBe(201);
      const [renewed] = await invitationsOf(email);
      expect(renewed).toMatchObject({ userId: user.id, channel: 'email', email, status: 'PENDING' });
      expect(lineValue((await mail.waitFor(email))[0].text, 'Login')).toBe(mobile);
      expect((await admin.post(`/api/v1/invitations/${renewed.id}/resend`)).status).toBe(200);
      const [, resent] = await mail.waitFor(email, 2);
      expect((await activate(mobile, lineValue(resent.text, 'Token'))).status).toBe(200);
    });

    it('inviting again after the REGISTERING user was deleted makes a new user; the old invitation is revoked, not left pending', async () => {
      const { email, patient, user, invitation } = await invitedPatient();
      expect((await admin.delete(`/api/v1/users/${user.id}`)).status).toBe(200);
      const again = await invitePatient(patient.id);
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(user.id);
      expect((await admin.get(`/api/v1/invitations/${invitation.id}`)).body.status).toBe('REVOKED');
      expect((await mail.waitFor(email, 2)).length).toBe(2);

      const profile = (await inviteProfile(admin)).body;
      expect((await admin.delete(`/api/v1/users/${profile.userId}`)).status).toBe(200);
      const reinvited = await inviteProfile(admin, { email: profile.email });
      expect(reinvited.status).toBe(201);
      expect(reinvited.body.userId).not.toBe(profile.userId);
      expect((await admin.get(`/api/v1/invitations/${profile.id}`)).body.status).toBe('REVOKED');
    });

    it('renews a profile invitation only for the same profile, and never one that is pending or whose user is active', async () => {
      const invitation = (await inviteProfile(admin)).body;
      const pending = await inviteProfile(admin, { email: invitation.email });
      expect([pending.status, pending.body.code]).toEqual([409, 'INVITATION_PENDING']);
      await admin.delete(`/api/v1/invitations/${invitation.id}`);
      const asPatient = await inviteProfile(admin, { email: invitation.email, resource: { resourceType: 'Patient' } });
      expect([asPatient.status, asPatient.body.code]).toEqual([409, 'PROFILE_MISMATCH']);
      const otherPractitioner = (await admin.post('/api/v1/practitioners', { firstName: 'Other' })).body;
      const other = await inviteProfile(admin, {
        email: invitation.email,
        resource: { resourceType: 'Practitioner', id: otherPractitioner.id },
      });
      expect([other.status, other.body.code]).toEqual([409, 'PROFILE_MISMATCH']);
      const same = await inviteProfile(admin, {
        email: invitation.email,
        resource: { resourceType: 'Practitioner', id: invitation.profile.split('/')[1] },
      });
      expect(same.status).toBe(201);
      await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(same.body.invitationUrl), password: PASSWORD });
      const active = await inviteProfile(admin, { email: invitation.email });
      expect([active.status, active.body.code]).toEqual([409, 'EMAIL_ALREADY_REGISTERED']);
    });

    it('resend and revoke refuse what is over: an accepted or revoked invitation (409)', async () => {
      const first = (await inviteProfile(admin)).body;
      await admin.delete(`/api/v1/invitations/${first.id}`);
      const second = (await inviteProfile(admin, { email: first.email })).body;
      for (const call of [
        () => admin.post(`/api/v1/invitations/${first.id}/resend`),
        () => admin.delete(`/api/v1/invitations/${first.id}`),
      ]) {
        const refused = await call();
        expect([refused.status, refused.body.code]).toEqual([409, 'INVITATION_NOT_PENDING']);
      }
      expect((await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(second.invitationUrl), password: PASSWORD })).status).toBe(
        200,
      );
      const afterAccept = await admin.post(`/api/v1/invitations/${second.id}/resend`);
      expect([afterAccept.status, afterAccept.body.code]).toEqual([409, 'INVITATION_NOT_PENDING']);
      expect((await admin.delete(`/api/v1/invitations/${second.id}`)).status).toBe(409);
    });
  });

  describe('once the short invitations expired', () => {
    it('stores EXPIRED, and ?status=EXPIRED lists exactly the expired invitations of both kinds', async () => {
      await untilExpired();
      const stored = async () => sql(t.database.url, 'SELECT status FROM invitations WHERE id = ANY($1)', [expiring.ids]);
      const deadline = Date.now() + 5_000;
      while ((await stored()).some((row) => row.status !== 'EXPIRED') && Date.now() < deadline) await sleep(100);
      expect((await stored()).map((row) => row.status)).toEqual(expiring.ids.map(() => 'EXPIRED'));

      const expired = (await admin.get('/api/v1/invitations?status=EXPIRED&limit=1000')).body.rows as Record<string, any>[];
      expect(expired.map((row) => row.id).sort()).toEqual([...expiring.ids].sort());
      expect(new Set(expired.map((row) => row.kind))).toEqual(new Set(['patient', 'profile']));
      const patients = (await admin.get('/api/v1/invitations?status=EXPIRED&kind=patient')).body.rows as Record<string, any>[];
      expect(patients.length).toBe(4);
      expect(patients.every((row) => row.kind === 'patient' && row.status === 'EXPIRED')).toBe(true);
      const pending = (await admin.get('/api/v1/invitations?status=PENDING&limit=1000')).body.rows as Record<string, any>[];
      expect(pending.filter((row) => expiring.ids.includes(row.id))).toEqual([]);
    }, 120_000);

    it('renews an expired patient invitation by inviting again: same user, new token by mail, the old token dead', async () => {
      await untilExpired();
      const { email, patient, user, token, invitation } = expiring.renewedPatient;
      const renewed = await invitePatient(patient.id);
      expect(renewed.status).toBe(201);
      expect(renewed.body.id).toBe(user.id);
      const [, message] = await mail.waitFor(email, 2);
      const newToken = lineValue(message.text, 'Token');
      expect(newToken).not.toBe(token);
      const rows = await invitationsOf(email);
      expect(rows.map((row) => [row.id === invitation.id, row.status])).toEqual([
        [false, 'PENDING'],
        [true, 'EXPIRED'],
      ]);
      expect((await activate(email, token)).status).toBe(401);
      expect((await activate(email, newToken)).status).toBe(200);
    }, 120_000);

    it('resends an expired patient invitation: PENDING again with a new expiry and a new SMS whose token activates', async () => {
      await untilExpired();
      const { mobile, user, invitation } = expiring.sms;
      const resent = await admin.post(`/api/v1/invitations/${invitation.id}/resend`);
      expect(resent.status).toBe(200);
      expect(resent.body).toMatchObject({ id: invitation.id, status: 'PENDING', userId: user.id });
      expect(resent.body.expiresAt).toBeGreaterThan(Date.now() + 50_000);
      const token = lineValue(await lastSmsTo(mobile, 2), 'Token');
      expect(token).not.toBe(expiring.sms.token);
      expect((await activate(mobile, token)).status).toBe(200);
      expect((await admin.get(`/api/v1/invitations/${invitation.id}`)).body.status).toBe('ACCEPTED');
    }, 120_000);

    it('lets no expired invitation of a deleted REGISTERING user block a new invite of the patient', async () => {
      await untilExpired();
      const { patient, user, email } = expiring.deletedPatient;
      expect((await admin.delete(`/api/v1/users/${user.id}`)).status).toBe(200);
      const again = await invitePatient(patient.id);
      expect(again.status).toBe(201);
      expect(again.body.id).not.toBe(user.id);
      expect((await invitationsOf(email)).map((row) => row.status)).toEqual(['PENDING', 'EXPIRED']);
    }, 120_000);

    it('resends an expired profile invitation: PENDING again with a new link that works, the old one expired', async () => {
      await untilExpired();
      const invitation = expiring.resentProfile;
      const resent = await admin.post(`/api/v1/invitations/${invitation.id}/resend`);
      expect(resent.status).toBe(200);
      expect(resent.body).toMatchObject({ id: invitation.id, status: 'PENDING' });
      expect(resent.body.expiresAt).toBeGreaterThan(Date.now() + 50_000);
      expect(resent.body.invitationUrl).not.toBe(invitation.invitationUrl);
      expect(linkIn((await mail.waitFor(invitation.email, 2))[1].text, '/invitations/accept')).toBe(resent.body.invitationUrl);
      const old = await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(invitation.invitationUrl), password: PASSWORD });
      expect(old.status).toBe(410);
      const accepted = await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(resent.body.invitationUrl), password: PASSWORD });
      expect(accepted.status).toBe(200);
    }, 120_000);

    it('renews an expired profile invitation by inviting the same email: a new invitation for the same user', async () => {
      await untilExpired();
      const invitation = expiring.renewedProfile;
      const renewed = await inviteProfile(admin, { email: invitation.email });
      expect(renewed.status).toBe(201);
      expect(renewed.body).toMatchObject({ userId: invitation.userId, status: 'PENDING', redirectUrl: null });
      expect((await admin.get(`/api/v1/invitations/${invitation.id}`)).body.status).toBe('EXPIRED');
      // The expired one was replaced: it is not resent beside the new one.
      const old = await admin.post(`/api/v1/invitations/${invitation.id}/resend`);
      expect([old.status, old.body.code, old.body.detail]).toEqual([
        409,
        'INVITATION_NOT_PENDING',
        expect.stringMatching(/newer invitation/),
      ]);
      const accepted = await t.http.post('/api/v1/invitations/accept', {
        ticket: ticketOf(renewed.body.invitationUrl),
        password: PASSWORD,
      });
      expect(accepted.status).toBe(200);
    }, 120_000);

    it('of 10 concurrent renewals of one expired invitation (each kind), exactly one wins and sends one message', async () => {
      await untilExpired();
      const patient = expiring.racedPatient;
      const profile = expiring.racedProfile;
      const [patientResults, profileResults] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, () => invitePatient(patient.patient.id))),
        Promise.all(Array.from({ length: 10 }, () => inviteProfile(admin, { email: profile.email }))),
      ]);
      await mail.waitFor(patient.email, 2);
      await sleep(300); // time for a duplicate to show up, if there were one
      const pendingPatient = (await invitationsOf(patient.email)).filter((row) => row.status === 'PENDING');
      const pendingProfile = (await invitationsOf(profile.email)).filter((row) => row.status === 'PENDING');
      recordRace(
        '10 concurrent renewals of one expired patient invitation',
        patientResults.map((r) => r.status),
        { pendingAfter: pendingPatient.length, mails: mail.to(patient.email).length, lost: Math.abs(pendingPatient.length - 1) },
      );
      expect(patientResults.map((r) => (r.status === 201 ? 201 : `${r.status} ${r.body.code}`)).sort()).toEqual([
        201,
        ...Array(9).fill('400 PATIENT_ALREADY_HAS_USER'),
      ]);
      expect(profileResults.map((r) => (r.status === 201 ? 201 : `${r.status} ${r.body.code}`)).sort()).toEqual([
        201,
        ...Array(9).fill('409 INVITATION_PENDING'),
      ]);
      expect(pendingPatient).toHaveLength(1);
      expect(pendingProfile).toHaveLength(1);
      expect(mail.to(patient.email)).toHaveLength(2);
    }, 120_000);

    describe('the set-password page in a real browser', () => {
      let browser: Browser;
      beforeAll(async () => {
        browser = await launchBrowser({ hosts: { [new URL(t.configuration.app.publicUrl).hostname]: t.baseUrl } });
      });
      afterAll(() => browser.close());

      it('says of an expired or revoked link whom to ask for a new invitation, and offers no form', async () => {
        await untilExpired();
        const revoked = (await inviteProfile(ada, { sendEmail: true })).body;
        const revokedLink = linkIn((await mail.waitFor(revoked.email))[0].text, '/invitations/accept');
        await admin.delete(`/api/v1/invitations/${revoked.id}`);
        const inspected = await t.http.post('/api/v1/invitations/inspect', { ticket: ticketOf(expiring.pageLink) });
        expect(inspected.body).toEqual({
          usable: false,
          kind: 'invitation',
          reason: 'expired',
          message: 'This link has expired; ask for a new one',
          inviter: 'Ada Lovelace',
        });

        await expectTicketRefused(browser, [
          [expiring.pageLink, 'This link has expired; ask for a new one'],
          [revokedLink, 'This link has been withdrawn; ask for a new one'],
        ]);
        const page = await browser.newPage();
        try {
          for (const link of [expiring.pageLink, revokedLink]) {
            await page.goto('about:blank');
            await page.goto(link);
            await page.locator('#renew:not([hidden])').waitFor();
            expect(await page.textContent('#renew')).toBe('Ask Ada Lovelace to send you a new invitation.');
          }
        } finally {
          await page.close();
        }
      }, 120_000);
    });
  });
});

describe('Invitation lifecycle between two sweeps', () => {
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    // OUTBOX_POLL_MS at its maximum: the sweep runs at start-up, then every 30 s, so none runs during this test.
    t = await startTestApp({ env: { OUTBOX_POLL_MS: '600000' } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  it('reads a pending invitation past its expiry as EXPIRED at once, and a new invite of its email frees it itself', async () => {
    const email = `${unique('arya')}@winterfell.example`;
    const invitation = (await admin.post('/api/v1/invitations', { email, resource: { resourceType: 'Practitioner' } })).body;
    // Waiting a minute would let the 30 s sweep run: the expiry is moved into the past instead (the only clock edit here).
    await sql(t.database.url, 'UPDATE invitations SET expires_at = $2 WHERE id = $1', [invitation.id, Date.now() - 1]);
    const stored = async () => (await sql(t.database.url, 'SELECT status FROM invitations WHERE id = $1', [invitation.id]))[0].status;

    expect((await admin.get(`/api/v1/invitations/${invitation.id}`)).body.status).toBe('EXPIRED');
    const ids = async (status: string) =>
      ((await admin.get(`/api/v1/invitations?status=${status}`)).body.rows as { id: string }[]).map((row) => row.id);
    expect(await ids('EXPIRED')).toContain(invitation.id);
    expect(await ids('PENDING')).not.toContain(invitation.id);
    expect(await stored()).toBe('PENDING');

    const renewed = await admin.post('/api/v1/invitations', { email, resource: { resourceType: 'Practitioner' } });
    expect(renewed.status).toBe(201);
    expect(renewed.body.userId).toBe(invitation.userId);
    expect(await stored()).toBe('EXPIRED');
  });
});
