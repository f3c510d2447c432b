import { expectTicketRefused, launchBrowser } from '../support/browser';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { linkIn, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');

describe('Password reset', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, PASSWORD_RESET_SECONDS: '60', PASSWORD_RESET_MIN_INTERVAL_SECONDS: '0' } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('answers known and unknown emails identically', async () => {
    const { user } = await createUser(admin);
    const known = await t.http.post('/api/v1/auth/password-reset', { email: user.email.toUpperCase() });
    const unknown = await t.http.post('/api/v1/auth/password-reset', { email: `${unique('nobody')}@nowhere.example` });
    const malformed = await t.http.post('/api/v1/auth/password-reset', { email: 'not an email' });
    for (const response of [known, unknown, malformed]) {
      expect(response.status).toBe(202);
      expect(response.body).toEqual(known.body);
    }
    await mail.waitFor(user.email);
  });

  it('mails a one-time link that sets a new password and ends the sessions; older links die', async () => {
    const { user, login, password } = await createUser(admin);
    const session = await loginAs(t.http, login, password);
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    const [first, second] = await mail.waitFor(user.email, 2);
    expect(first.subject).toMatch(/Reset your/);
    const firstTicket = ticketOf(linkIn(first.text, '/password-reset'));
    const secondLink = linkIn(second.text, '/password-reset');
    expect(secondLink.startsWith('http://careid.test/password-reset#ticket=')).toBe(true);
    const secondTicket = ticketOf(secondLink);

    const old = await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: firstTicket, password: 'a whole new password' });
    expect(old.status).toBe(410);
    expect(old.body.code).toBe('TICKET_REVOKED');
    const weak = await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: secondTicket, password: 'short' });
    expect(weak.body.code).toBe('PASSWORD_TOO_SHORT');
    // A refused password does not use the ticket up.
    expect(
      (await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: secondTicket, password: 'a whole new password' })).status,
    ).toBe(204);
    expect(
      (await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: secondTicket, password: 'another new password' })).body.code,
    ).toBe('TICKET_USED');
    expect((await session.get('/api/v1/users/current')).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/refresh', { refreshToken: session.tokens.refreshToken })).status).toBe(401);
    await loginAs(t.http, login, 'a whole new password');
  });

  it('expires tickets and rejects unknown ones', async () => {
    const { user } = await createUser(admin);
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    const [message] = await mail.waitFor(user.email);
    const ticket = ticketOf(linkIn(message.text, '/password-reset'));
    await sql(t.database.url, 'UPDATE tickets SET expires_at = 0 WHERE user_id = $1', [user.id]);
    expect((await t.http.post('/api/v1/auth/password-reset/confirm', { ticket, password: 'a whole new password' })).body.code).toBe(
      'TICKET_EXPIRED',
    );
    expect(
      (await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: 'x'.repeat(43), password: 'a whole new password' })).body.code,
    ).toBe('TICKET_UNKNOWN');
  });

  it('keeps secrets out of the outbox once sent, and out of the logs', async () => {
    const { user } = await createUser(admin);
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    const [message] = await mail.waitFor(user.email);
    const ticket = ticketOf(linkIn(message.text, '/password-reset'));
    const rows = await sql(t.database.url, 'SELECT status, text_body, html_body, mime_body FROM outbox_messages WHERE recipient = $1', [
      user.email,
    ]);
    expect(rows).toEqual([{ status: 'SENT', text_body: null, html_body: null, mime_body: null }]);
    expect(t.logText()).not.toContain(ticket);
  });

  it('in a real browser: the mailed link sets the password; the older and the used link explain themselves', async () => {
    const { user, login } = await createUser(admin);
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    const [older, newer] = (await mail.waitFor(user.email, 2)).map((message) => linkIn(message.text, '/password-reset'));
    // The mailed links point at PUBLIC_URL (http://careid.test); the browser resolves that host to the app, as DNS would.
    const browser = await launchBrowser({ hosts: { [new URL(t.configuration.app.publicUrl).hostname]: t.baseUrl } });
    try {
      const page = await browser.newPage();
      await page.goto(newer);
      await page.waitForSelector('#form:not([hidden])');
      expect(await page.textContent('#title')).toBe('Choose a new password');
      expect(await page.textContent('#login')).toBe(login);
      await page.fill('#password', 'a browser-chosen password');
      await page.fill('#confirmation', 'a browser-chosen password');
      await page.click('#submit');
      await page.waitForSelector('#done:not([hidden])');
      expect(await page.textContent('#done')).toContain('Your password is set');
      await page.close();

      await expectTicketRefused(browser, [
        [newer, 'This link has already been used'],
        [older, 'This link has been withdrawn; ask for a new one'],
      ]);
    } finally {
      await browser.close();
    }
    await loginAs(t.http, login, 'a browser-chosen password');
  });
});
