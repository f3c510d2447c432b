import { recordRace } from '../support/figures';
import type { Browser } from 'playwright-core';
import { expectTicketRefused, launchBrowser } from '../support/browser';
import { HttpClient } from '../support/http';
import { linkIn, TestMailServer } from '../support/mail-server';
import { loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { sql } from '../support/db';

const ticketOf = (url: string) => new URL(url).hash.replace('#ticket=', '');

describe("Inviting a person (Oystehr's invite) and the set-password page", () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  const invite = (fields: Record<string, unknown> = {}) =>
    admin.post('/api/v1/invitations', {
      email: `${unique('jon')}@winterfell.example`,
      firstName: 'Jon',
      lastName: 'Snow',
      resource: { resourceType: 'Practitioner' },
      accessPolicy: { rule: [{ resource: '*', action: ['*'], effect: 'Allow' }] },
      ...fields,
    });

  it('creates the profile, the REGISTERING user and a ticket link, as in the Oystehr example', async () => {
    const response = await invite({ sendEmail: true });
    expect(response.status).toBe(201);
    const invitation = response.body;
    expect(invitation).toMatchObject({
      name: 'Jon Snow',
      profile: expect.stringMatching(/^Practitioner\/[0-9a-f-]{36}$/),
      accessPolicy: { rule: [{ resource: ['*'], action: ['*'], effect: 'Allow' }] },
      roles: [],
      status: 'PENDING',
      invitationUrl: expect.stringMatching(/^http:\/\/careid\.test\/invitations\/accept#ticket=[A-Za-z0-9_-]{43}$/),
    });
    const practitionerId = invitation.profile.split('/')[1];
    expect((await admin.get(`/api/v1/practitioners/${practitionerId}`)).body).toMatchObject({ firstName: 'Jon', lastName: 'Snow' });
    const user = await admin.get(`/api/v1/users/${invitation.userId}`);
    expect(user.body).toMatchObject({ login: invitation.email, status: 'REGISTERING', healthcarePartyId: practitionerId });
    const [message] = await mail.waitFor(invitation.email);
    expect(linkIn(message.text, '/invitations/accept')).toBe(invitation.invitationUrl);
    const listed = await admin.get(`/api/v1/invitations?email=${encodeURIComponent(invitation.email)}`);
    expect(listed.body.total).toBe(1);
    expect(listed.body.rows[0].invitationUrl).toBeUndefined();
    expect(listed.body.rows[0].delivery).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('refuses an email that has a pending invitation or a live user, with 409', async () => {
    const first = await invite();
    const again = await invite({ email: first.body.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVITATION_PENDING');
    const existing = await admin.post('/api/v1/users', { login: unique(), email: `${unique('u')}@x.org` });
    const taken = await invite({ email: existing.body.email });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('EMAIL_ALREADY_REGISTERED');
  });

  it('accepts through the API once: the password is set, the user active, a session returned', async () => {
    const invitation = (await invite()).body;
    const ticket = ticketOf(invitation.invitationUrl);
    const inspected = await t.http.post('/api/v1/invitations/inspect', { ticket });
    expect(inspected.body).toMatchObject({ usable: true, kind: 'invitation', login: invitation.email, name: 'Jon Snow' });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.http.post('/api/v1/invitations/accept', { ticket, password: 'winter is coming' })),
    );
    // What the one accept writes: the invitation ACCEPTED and its user ACTIVE.
    const accepted = (await admin.get(`/api/v1/invitations/${invitation.id}`)).body;
    const user = (await admin.get(`/api/v1/users/${invitation.userId}`)).body;
    recordRace(
      '10 concurrent accepts of one invitation ticket',
      results.map((r) => r.status),
      { lost: (accepted.status === 'ACCEPTED' ? 0 : 1) + (user.status === 'ACTIVE' ? 0 : 1) },
    );
    expect(results.map((r) => (r.status === 200 ? 200 : `${r.status} ${r.body.code}`)).sort()).toEqual([
      200,
      ...Array(9).fill('410 TICKET_USED'),
    ]);
    expect(accepted.status).toBe('ACCEPTED');
    expect(user.status).toBe('ACTIVE');
    const session = await loginAs(t.http, invitation.email, 'winter is coming');
    expect((await session.get('/api/v1/users/current')).body.status).toBe('ACTIVE');
    expect((await t.http.post('/api/v1/invitations/inspect', { ticket })).body).toMatchObject({ usable: false, reason: 'used' });
  });

  it('resend kills the old ticket; revoke kills the current one and frees the email', async () => {
    const invitation = (await invite()).body;
    const resent = await admin.post(`/api/v1/invitations/${invitation.id}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body.invitationUrl).not.toBe(invitation.invitationUrl);
    expect(
      (await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(invitation.invitationUrl), password: 'winter is coming' })).body
        .code,
    ).toBe('TICKET_REVOKED');
    const revoked = await admin.delete(`/api/v1/invitations/${invitation.id}`);
    expect(revoked.body.status).toBe('REVOKED');
    expect(
      (await t.http.post('/api/v1/invitations/accept', { ticket: ticketOf(resent.body.invitationUrl), password: 'winter is coming' })).body
        .code,
    ).toBe('TICKET_REVOKED');
    expect((await admin.post(`/api/v1/invitations/${invitation.id}/resend`)).status).toBe(409);
    expect((await invite({ email: invitation.email })).status).toBe(201);
    expect((await admin.get('/api/v1/invitations?status=REVOKED')).body.rows.map((i: { id: string }) => i.id)).toContain(invitation.id);
  });

  it('expires tickets', async () => {
    const invitation = (await invite({ expiresInSeconds: 60 })).body;
    await sql(t.database.url, 'UPDATE tickets SET expires_at = 0 WHERE invitation_id = $1', [invitation.id]);
    const response = await t.http.post('/api/v1/invitations/accept', {
      ticket: ticketOf(invitation.invitationUrl),
      password: 'winter is coming',
    });
    expect(response.status).toBe(410);
    expect(response.body.code).toBe('TICKET_EXPIRED');
  });

  it('is for admins only', async () => {
    const plain = await admin.post('/api/v1/users', { login: unique('plain'), passwordHash: 'plain user password' });
    const client = await loginAs(t.http, plain.body.login, 'plain user password');
    expect((await client.post('/api/v1/invitations', { email: 'x@y.org', resource: { resourceType: 'Patient' } })).status).toBe(403);
    expect((await client.get('/api/v1/invitations')).status).toBe(403);
  });

  describe('the set-password page in a real browser', () => {
    // The mailed link points at PUBLIC_URL (http://careid.test); the browser resolves that host to the app, as DNS would.
    const openBrowser = () => launchBrowser({ hosts: { [new URL(t.configuration.app.publicUrl).hostname]: t.baseUrl } });
    const mailedLink = async (email: string) => linkIn((await mail.waitFor(email))[0].text, '/invitations/accept');

    let browser: Browser;
    beforeAll(async () => {
      browser = await openBrowser();
    });
    afterAll(() => browser.close());

    it('opens the link from the mail, sets the password, and the new password logs in', async () => {
      const invitation = (await invite({ sendEmail: true, firstName: '<img src=x onerror=alert(1)>' })).body;
      const link = await mailedLink(invitation.email);
      expect(link.startsWith('http://careid.test/invitations/accept#ticket=')).toBe(true);
      const page = await browser.newPage();
      try {
        const response = await page.goto(link);
        expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
        expect(response!.headers()['referrer-policy']).toBe('no-referrer');
        await page.waitForSelector('#form:not([hidden])');
        const screenshot = await page.screenshot({ fullPage: true });
        expect(screenshot.length).toBeGreaterThan(5_000);
        expect(await page.isVisible('#password')).toBe(true);
        expect(await page.isVisible('#confirmation')).toBe(true);
        expect(await page.textContent('#rules')).toContain('At least 8 characters');
        expect(await page.textContent('#login')).toBe(invitation.email);
        // The name is shown as text, never as markup.
        expect(await page.textContent('#greeting')).toContain('<img src=x onerror=alert(1)>');
        expect(await page.$('main img')).toBeNull();
        expect(page.url()).not.toContain('ticket=');

        await page.fill('#password', 'winter is coming');
        await page.fill('#confirmation', 'winter is not coming');
        await page.click('#submit');
        expect(await page.textContent('#error')).toContain('differ');
        await page.fill('#confirmation', 'winter is coming');
        await page.click('#submit');
        await page.waitForSelector('#done:not([hidden])');
        expect(await page.textContent('#done')).toContain('Your password is set');
      } finally {
        await page.close();
      }
      await loginAs(t.http, invitation.email, 'winter is coming');

      // The same mailed link, opened again after the accept, explains itself and offers no form.
      await expectTicketRefused(browser, [[link, 'This link has already been used']]);
      await loginAs(t.http, invitation.email, 'winter is coming');
    });

    it('explains a revoked or unknown ticket plainly and offers no form', async () => {
      const revoked = (await invite({ sendEmail: true })).body;
      const revokedLink = await mailedLink(revoked.email);
      expect((await admin.delete(`/api/v1/invitations/${revoked.id}`)).body.status).toBe('REVOKED');

      await expectTicketRefused(browser, [
        [revokedLink, 'This link has been withdrawn; ask for a new one'],
        [`${t.baseUrl}/invitations/accept#ticket=${'x'.repeat(43)}`, 'This link is not valid'],
      ]);
    });
  });
});
