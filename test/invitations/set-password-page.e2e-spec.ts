import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { HttpClient } from '../support/http';
import { loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/** The set-password page as a person with a password manager or a screen reader meets it. */
describe('Set-password page', () => {
  let t: TestApp;
  let admin: HttpClient;
  let browser: Browser;

  const invite = async () =>
    (await admin.post('/api/v1/invitations', { email: `${unique('anne')}@clinic.example`, resource: { resourceType: 'Practitioner' } }))
      .body;

  async function open(link: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(link);
    await page.locator('#form:not([hidden]), #renew:not([hidden])').first().waitFor();
    return page;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
    browser = await launchBrowser({ hosts: { [new URL(t.configuration.app.publicUrl).hostname]: t.baseUrl } });
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('names the product, has an icon, and gives password managers the login the new password belongs to', async () => {
    const invitation = await invite();
    const page = await open(invitation.invitationUrl);
    await page.locator('#form:not([hidden])').waitFor();
    expect(await page.textContent('.brand')).toBe('Careid');
    expect(await page.title()).toMatch(/· Careid$/);
    const icon = await page.getAttribute('link[rel=icon]', 'href');
    const served = await t.http.get(icon!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    const username = page.locator('#username');
    expect(await username.getAttribute('autocomplete')).toBe('username');
    expect(await username.inputValue()).toBe(invitation.email);
    expect(await page.evaluate(() => (globalThis as any).document.querySelector('#username')?.closest('form')?.id)).toBe('form');
    await page.close();
  });

  it('marks the refused field invalid, moves the focus to it and ties the message to it', async () => {
    const page = await open((await invite()).invitationUrl);
    await page.fill('#password', 'long enough password');
    await page.fill('#confirmation', 'another long password');
    await page.click('#submit');
    await page.locator('#error', { hasText: 'The two passwords differ.' }).waitFor();
    expect(await page.getAttribute('#confirmation', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#password', 'aria-invalid')).toBeNull();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('confirmation');
    expect(await page.getAttribute('#confirmation', 'aria-describedby')).toContain('error');

    await page.fill('#password', 'short');
    await page.fill('#confirmation', 'short');
    await page.click('#submit');
    await page.locator('#error', { hasText: 'at least 8 characters' }).waitFor();
    expect(await page.getAttribute('#password', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#confirmation', 'aria-invalid')).toBeNull();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('password');
    await page.close();
  });

  it('says what to do next on a link that cannot be used', async () => {
    const invitation = await invite();
    const used = await t.http.post('/api/v1/invitations/accept', {
      ticket: new URL(invitation.invitationUrl).hash.replace('#ticket=', ''),
      password: 'a fine new password',
    });
    expect(used.status).toBe(200);
    const page = await open(invitation.invitationUrl);
    await page.locator('#renew:not([hidden])').waitFor();
    expect(await page.textContent('#renew')).toMatch(
      /^If you set your password with this link, log in with it\. Otherwise, ask .+ to send you a new invitation\.$/,
    );

    // Through a blank page: a change of fragment alone would not load the page again.
    await page.goto('about:blank');
    await page.goto(`${new URL(invitation.invitationUrl).origin}/invitations/accept#ticket=not-a-ticket`);
    await page.locator('#renew:not([hidden])').waitFor();
    expect(await page.textContent('#renew')).toMatch(
      /^Open the whole link from your message again, or ask .+ to send you a new invitation\.$/,
    );

    await page.goto('about:blank');
    await page.goto(`${new URL(invitation.invitationUrl).origin}/password-reset#ticket=not-a-ticket`);
    await page.locator('#renew:not([hidden])').waitFor();
    expect(await page.textContent('#renew')).toContain('Forgot your password?');
    await page.close();
  });
});
