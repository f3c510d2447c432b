import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { createPatient, createPractitionerUser } from '../support/care';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { lineValue, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const ticketOf = (url: string) => new URL(url).hash.replace('#ticket=', '');
const PASSWORD = 'winter is coming';
const NO_SUCH_APPLICATION = '00000000-0000-4000-8000-000000000000';

/**
 * Where an invitation leads once accepted, for both kinds of invite: `redirectUrl` (allowed origins only) or the
 * first redirect URI of a registered application (`applicationId`). The accept and activation answers carry it, and
 * the set-password page offers to continue there.
 */
describe('Invitation redirects: redirectUrl and applicationId', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;
  let ada: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;
  let portal: { id: string; name: string };

  const inviteProfile = (client: HttpClient, fields: Record<string, unknown> = {}) =>
    client.post('/api/v1/invitations', {
      email: `${unique('jon')}@winterfell.example`,
      firstName: 'Jon',
      resource: { resourceType: 'Practitioner' },
      ...fields,
    });
  const newPatient = async () => {
    const email = `${unique('argan')}@moliere.fr`;
    return { email, patient: await createPatient(doctor.client, { email }) };
  };
  const accept = (invitationUrl: string) =>
    t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(invitationUrl), password: PASSWORD });

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    admin = await loginAsAdmin(t.http);
    const named = await createUser(admin, { name: 'Ada Lovelace', roles: ['ADMIN'] });
    ada = await loginAs(t.http, named.login, named.password);
    doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
    // Registered on an origin that ALLOWED_REDIRECT_ORIGINS (careid.test, app.example) does not list.
    const registered = await admin.post('/api/v1/applications', {
      name: 'Patient portal',
      type: 'public',
      redirectUris: ['https://portal.clinic.example/welcome', 'https://portal.clinic.example/other'],
    });
    expect(registered.status).toBe(201);
    portal = registered.body;
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('takes a redirectUrl on an allowed origin only, on both kinds of invite, and creates nothing when it refuses', async () => {
    const refused: [unknown, number, string][] = [
      ['https://evil.example/welcome', 400, 'REDIRECT_NOT_ALLOWED'],
      ['https://app.example.evil.example/', 400, 'REDIRECT_NOT_ALLOWED'],
      ['http://app.example/welcome', 400, 'REDIRECT_NOT_ALLOWED'],
      ['https://portal.clinic.example/welcome', 400, 'REDIRECT_NOT_ALLOWED'],
      ['javascript:alert(1)', 400, 'VALIDATION_FAILED'],
      ['data:text/html,<script>alert(1)</script>', 400, 'VALIDATION_FAILED'],
      [42, 400, 'VALIDATION_FAILED'],
      [`https://app.example/${'x'.repeat(2000)}`, 400, 'VALIDATION_FAILED'],
    ];
    for (const [redirectUrl, status, code] of refused) {
      const profile = await inviteProfile(admin, { redirectUrl });
      expect([redirectUrl, profile.status, profile.body.code]).toEqual([redirectUrl, status, code]);
      const { email, patient } = await newPatient();
      const invited = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { redirectUrl });
      expect([redirectUrl, invited.status, invited.body.code]).toEqual([redirectUrl, status, code]);
      expect((await admin.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows).toEqual([]);
      expect((await admin.get(`/api/v1/users?patientId=${patient.id}`)).body.rows).toEqual([]);
    }
    expect((await admin.get('/api/v1/invitations')).body.total).toBe(0);
  });

  it('answers an unknown applicationId with 404 APPLICATION_NOT_FOUND on both kinds of invite', async () => {
    const profile = await inviteProfile(admin, { applicationId: NO_SUCH_APPLICATION });
    expect([profile.status, profile.body.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
    const { patient } = await newPatient();
    const invited = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { applicationId: NO_SUCH_APPLICATION });
    expect([invited.status, invited.body.code]).toEqual([404, 'APPLICATION_NOT_FOUND']);
    expect((await admin.get(`/api/v1/users?patientId=${patient.id}`)).body.rows).toEqual([]);
  });

  it('stores the redirectUrl; resend keeps it; the accept answer carries it', async () => {
    const invitation = (await inviteProfile(admin, { redirectUrl: 'https://app.example/welcome' })).body;
    expect(invitation).toMatchObject({ redirectUrl: 'https://app.example/welcome', applicationId: null });
    const resent = (await admin.post(`/api/v1/invitations/${invitation.id}/resend`)).body;
    expect(resent.redirectUrl).toBe('https://app.example/welcome');
    const accepted = await accept(resent.invitationUrl);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ tokenType: 'Bearer', redirectUrl: 'https://app.example/welcome' });
  });

  it("defaults to the application's first redirect URI, and allows the application's own origins", async () => {
    const byDefault = (await inviteProfile(admin, { applicationId: portal.id })).body;
    expect(byDefault).toMatchObject({ applicationId: portal.id, redirectUrl: 'https://portal.clinic.example/welcome' });
    expect((await accept(byDefault.invitationUrl)).body.redirectUrl).toBe('https://portal.clinic.example/welcome');

    const chosen = await inviteProfile(admin, { applicationId: portal.id, redirectUrl: 'https://portal.clinic.example/first-steps' });
    expect(chosen.body.redirectUrl).toBe('https://portal.clinic.example/first-steps');
    const elsewhere = await inviteProfile(admin, { applicationId: portal.id, redirectUrl: 'https://evil.example/' });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([400, 'REDIRECT_NOT_ALLOWED']);

    const { email, patient } = await newPatient();
    const invited = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { applicationId: portal.id });
    expect(invited.status).toBe(201);
    const [row] = (await admin.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows;
    expect(row).toMatchObject({ kind: 'patient', applicationId: portal.id, redirectUrl: 'https://portal.clinic.example/welcome' });
    const [message] = await mail.waitFor(email);
    const activated = await t.http.post('/api/v1/auth/activate', {
      login: email,
      token: lineValue(message.text, 'Token'),
      publicKey: publicKeyHex(),
    });
    expect(activated.status).toBe(200);
    expect(activated.body.redirectUrl).toBe('https://portal.clinic.example/welcome');
  });

  it('answers no redirectUrl when the invitation names none (accept and activation)', async () => {
    const invitation = (await inviteProfile(admin)).body;
    expect(invitation).toMatchObject({ redirectUrl: null, applicationId: null });
    const accepted = await accept(invitation.invitationUrl);
    expect(accepted.status).toBe(200);
    expect(Object.keys(accepted.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    const { email, patient } = await newPatient();
    await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {});
    const [message] = await mail.waitFor(email);
    const activated = await t.http.post('/api/v1/auth/activate', {
      login: email,
      token: lineValue(message.text, 'Token'),
      publicKey: publicKeyHex(),
    });
    expect(activated.body.redirectUrl).toBeUndefined();
  });

  it('names the inviter and the application in inspect, and nothing more about them', async () => {
    const invitation = (await inviteProfile(ada, { applicationId: portal.id })).body;
    const inspected = await t.http.post('/api/v1/invitations/inspect', { ticket: ticketOf(invitation.invitationUrl) });
    expect(inspected.body).toEqual({
      usable: true,
      kind: 'invitation',
      message: 'Choose a password',
      login: invitation.email,
      name: 'Jon',
      expiresAt: expect.any(Number),
      inviter: 'Ada Lovelace',
      application: 'Patient portal',
    });
    const unknown = await t.http.post('/api/v1/invitations/inspect', { ticket: 'x'.repeat(43) });
    expect(unknown.body).toEqual({ usable: false, kind: null, reason: 'unknown', message: 'This link is not valid' });
  });

  describe('the set-password page in a real browser', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser({ hosts: { [new URL(t.configuration.app.publicUrl).hostname]: t.baseUrl } });
    });
    afterAll(() => browser.close());

    async function setPasswordThrough(invitationUrl: string) {
      const page = await browser.newPage();
      const response = await page.goto(invitationUrl);
      expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForSelector('#form:not([hidden])');
      expect(await page.isHidden('#continue')).toBe(true);
      await page.fill('#password', PASSWORD);
      await page.fill('#confirmation', PASSWORD);
      await page.click('#submit');
      await page.waitForSelector('#done:not([hidden])');
      return page;
    }

    it('offers to continue to the redirectUrl (by host) or to the application (by name) once the password is set', async () => {
      for (const [fields, text, href] of [
        [{ redirectUrl: 'https://app.example/welcome?step=1' }, 'Continue to app.example', 'https://app.example/welcome?step=1'],
        [{ applicationId: portal.id }, 'Continue to Patient portal', 'https://portal.clinic.example/welcome'],
      ] as const) {
        const invitation = (await inviteProfile(admin, fields)).body;
        const page = await setPasswordThrough(invitation.invitationUrl);
        try {
          expect(await page.textContent('#done')).toContain('Your password is set');
          expect(await page.isVisible('#continue')).toBe(true);
          expect(await page.textContent('#continue')).toBe(text);
          expect(await page.getAttribute('#continue', 'href')).toBe(href);
        } finally {
          await page.close();
        }
      }
    });

    it('offers nothing to continue to when the invitation names no place', async () => {
      const invitation = (await inviteProfile(admin)).body;
      const page = await setPasswordThrough(invitation.invitationUrl);
      try {
        expect(await page.isHidden('#continue')).toBe(true);
      } finally {
        await page.close();
      }
    });

    it('asks the inviter for a new invitation to the application when the link was revoked', async () => {
      const invitation = (await inviteProfile(ada, { applicationId: portal.id })).body;
      await admin.delete(`/api/v1/invitations/${invitation.id}`);
      const page = await browser.newPage();
      try {
        await page.goto(invitation.invitationUrl);
        await page.locator('#renew:not([hidden])').waitFor();
        expect(await page.textContent('#status')).toBe('This link has been withdrawn; ask for a new one');
        expect(await page.textContent('#renew')).toBe('Ask Ada Lovelace to send you a new invitation to Patient portal.');
        expect(await page.isHidden('#form')).toBe(true);
      } finally {
        await page.close();
      }
    });
  });
});
