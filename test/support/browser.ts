import { Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BrowserOptions {
  /**
   * Host names the browser resolves to a test server, as DNS would in production: `{ 'careid.test': 'http://127.0.0.1:4321' }`
   * lets a link to http://careid.test/... (the app's PUBLIC_URL, as written in a mail) reach the app on that port, unchanged.
   */
  hosts?: Record<string, string>;
}

/** Debian's headless Chromium driven by playwright-core (no browser download). */
export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const rules = Object.entries(options.hosts ?? {}).map(([host, target]) => `MAP ${host} ${new URL(target).host}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(rules.length ? [`--host-resolver-rules=${rules.join(', ')}`] : []),
    ],
  });
}

/**
 * Opens set-password links (invitation or reset) whose tickets cannot be used, one after the other in one page: each must
 * explain itself with `explanation`, show no form, and post nothing but the ticket check (no password goes anywhere).
 */
export async function expectTicketRefused(browser: Browser, links: [link: string, explanation: string][]): Promise<void> {
  const page = await browser.newPage();
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(new URL(request.url()).pathname);
  });
  try {
    for (const [link, explanation] of links) {
      posts.length = 0;
      await page.goto('about:blank');
      await page.goto(link);
      // A locator, not waitForFunction: its polling evaluates a string in the page, which the page's CSP (no eval) refuses.
      await page.locator('#status', { hasNotText: 'Checking your link…' }).waitFor();
      expect(await page.textContent('#status')).toBe(explanation);
      expect(await page.isVisible('#status')).toBe(true);
      expect(await page.isHidden('#form')).toBe(true);
      expect(await page.isVisible('#submit')).toBe(false);
      expect(await page.isHidden('#done')).toBe(true);
      expect(posts).toEqual(['/api/v1/invitations/inspect']);
    }
  } finally {
    await page.close();
  }
}
