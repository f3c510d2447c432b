import { randomBytes, randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { authenticator } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { TestIdentityProvider } from '../support/identity-provider';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { TestApp } from '../support/test-app';
import {
  authorizeUrl,
  pkce,
  REDIRECT_URI,
  registerApplication,
  signInAtHostedPage,
  startProviderApp,
  stubApplication,
  tokenRequest,
} from './oidc-support';

const CALLBACK_PATH = '/oidc/federation/callback';

/**
 * "Continue with <provider>" on the hosted sign-in page, in a real browser: Careid runs its own authorization code
 * flow (PKCE, state, nonce) at an external identity provider (a fake one on a loopback port, with authorize and
 * token endpoints), signs the person in with the ID token it gets, and the application gets its code.
 */
describe('OpenID provider: continue with an external identity provider', () => {
  const idp = new TestIdentityProvider();
  let t: TestApp;
  let admin: HttpClient;
  let browser: Browser;
  let spa: { clientId: string };
  let alias: string;

  beforeAll(async () => {
    await idp.start('ES256');
    idp.clientSecret = `secret-${randomUUID()}`;
    t = await startProviderApp();
    admin = await loginAsAdmin(t.http);
    spa = await registerApplication(admin, 'public');
    alias = unique('acme');
    const created = await admin.post('/api/v1/identity-providers', {
      alias,
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
    });
    if (created.status !== 201) throw new Error(`provider not created: ${created.status} ${created.text}`);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp.stop();
  });

  /** A user the provider knows by a verified email; the provider signs that person in from now on. */
  async function personAtProvider() {
    const created = await createUser(admin);
    idp.signInAs = { sub: randomUUID(), email: created.user.email, email_verified: true };
    return created;
  }

  /** The application's authorize request, up to the hosted page, with the provider's answers to its callback recorded. */
  async function startAtHostedPage() {
    const opened = await browser.newPage();
    await stubApplication(opened);
    const callbacks: string[] = [];
    opened.on('request', (request) => {
      if (new URL(request.url()).pathname === CALLBACK_PATH) callbacks.push(request.url());
    });
    const { verifier, challenge } = pkce();
    const nonce = randomBytes(8).toString('hex');
    await opened.goto(authorizeUrl(t, spa.clientId, { state: 'app-state', nonce, challenge }));
    expect(await opened.title()).toBe('Sign in · Careid');
    return { page: opened, verifier, nonce, callbacks };
  }

  const continueWith = (page: Page) => page.getByRole('link', { name: `Continue with ${alias}` }).click();

  async function alertOf(page: Page): Promise<string | null> {
    await page.getByRole('alert').waitFor();
    return page.getByRole('alert').textContent();
  }

  it('signs the person in at the provider and gives the application a code for the linked Careid user', async () => {
    const { user } = await personAtProvider();
    const { page, verifier, nonce } = await startAtHostedPage();
    await continueWith(page);
    await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
    const back = new URL(page.url());
    await page.close();
    expect(back.searchParams.get('state')).toBe('app-state');

    const tokens = await tokenRequest(t, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      client_id: spa.clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    const { payload } = await jwtVerify(tokens.body.id_token, createRemoteJWKSet(new URL(`${t.baseUrl}/oidc/jwks`)), {
      issuer: t.baseUrl,
      audience: spa.clientId,
    });
    expect(payload).toMatchObject({ sub: user.id, nonce, email: user.email });
    expect((await t.http.as(tokens.body.access_token).get('/api/v1/users/current')).body.id).toBe(user.id);

    // Careid authenticated at the provider with the record's secret (Basic), and the provider's subject is now linked.
    expect(idp.tokenRequests.at(-1)).toEqual({ clientAuth: 'basic', status: 200 });
    const linked = await admin.get(`/api/v1/users/${user.id}/identities`);
    expect(linked.body.rows ?? linked.body).toEqual([expect.objectContaining({ provider: alias, subject: idp.signInAs.sub })]);
    const [event] = await sql(
      t.database.url,
      `SELECT details FROM audit_events WHERE type = 'LOGIN_SUCCEEDED' AND target_id = $1 ORDER BY id DESC LIMIT 1`,
      [user.id],
    );
    expect(event.details).toMatchObject({ method: 'federated-id-token', provider: alias, flow: 'authorization-code' });
  });

  it('shows the provider’s refusal on the page, whose form still signs in with a password', async () => {
    const { login, password } = await personAtProvider();
    idp.authorizeError = 'access_denied';
    try {
      const { page } = await startAtHostedPage();
      await continueWith(page);
      expect(await alertOf(page)).toBe('The identity provider did not sign you in.');
      expect(new URL(page.url()).origin).toBe(t.baseUrl);
      expect(await page.getByRole('link', { name: `Continue with ${alias}` }).isVisible()).toBe(true);
      // The page is shown at the callback's URL; its form posts to the sign-in itself.
      await signInAtHostedPage(page, login, password);
      await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
      await page.close();
    } finally {
      idp.authorizeError = undefined;
    }
  });

  it('refuses a forged state, which uses up the request: the provider’s real answer cannot follow it', async () => {
    await personAtProvider();
    const { page, callbacks } = await startAtHostedPage();
    // "Continue with", through the browser's own cookies, stopping at Careid's redirect to the provider.
    const href = await page.getByRole('link', { name: `Continue with ${alias}` }).getAttribute('href');
    const started = await page.context().request.get(new URL(href!, t.baseUrl).toString(), { maxRedirects: 0 });
    expect(started.status()).toBe(303);
    const realAuthorize = started.headers().location;
    expect(realAuthorize.startsWith(`${idp.issuer}/authorize?`)).toBe(true);
    const state = new URL(realAuthorize).searchParams.get('state')!;
    const forged = `${state.slice(0, state.indexOf('.'))}.${randomBytes(32).toString('base64url')}`;
    await page.goto(`${t.baseUrl}${CALLBACK_PATH}?code=made-up&state=${forged}`);
    expect(await alertOf(page)).toBe('This answer from the identity provider is not valid or was already used. Start again.');

    // The real answer (a real code, the real state) now finds nothing kept for it.
    const fromProvider = await fetch(realAuthorize, { redirect: 'manual' });
    const realCallback = fromProvider.headers.get('location')!;
    expect(new URL(realCallback).searchParams.get('code')).toBeTruthy();
    await page.goto(realCallback);
    expect(await alertOf(page)).toBe('This answer from the identity provider is not valid or was already used. Start again.');
    expect(callbacks).toHaveLength(2);
    await page.close();
  });

  it('refuses a replayed callback, in the same browser and in another one', async () => {
    const { user } = await personAtProvider();
    const current = (await admin.get(`/api/v1/users/${user.id}`)).body;
    // A user the rules refuse: the interaction stays at its sign-in step, so that a replay reaches the state check.
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...current, status: 'DISABLED' })).status).toBe(200);
    const { page, callbacks } = await startAtHostedPage();
    await continueWith(page);
    expect(await alertOf(page)).toBe('This account cannot sign in.');
    expect(callbacks).toHaveLength(1);

    await page.goto(callbacks[0]);
    expect(await alertOf(page)).toBe('This answer from the identity provider is not valid or was already used. Start again.');

    // In a browser without the interaction's cookie, the callback belongs to no sign-in at all.
    const other = await browser.newContext();
    const stranger = await other.newPage();
    const answer = await stranger.goto(callbacks[0]);
    expect(answer?.status()).toBe(400);
    expect(await alertOf(stranger)).toBe('This sign-in has expired or is not valid.');
    await other.close();
    await page.close();
  });

  it('refuses a user the login rules refuse (disabled), with the page’s error, and audits it', async () => {
    const { user } = await personAtProvider();
    const current = (await admin.get(`/api/v1/users/${user.id}`)).body;
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...current, status: 'DISABLED' })).status).toBe(200);
    const { page } = await startAtHostedPage();
    await continueWith(page);
    expect(await alertOf(page)).toBe('This account cannot sign in.');
    expect(new URL(page.url()).origin).toBe(t.baseUrl);
    await page.close();
    const [event] = await sql(
      t.database.url,
      `SELECT outcome, details FROM audit_events WHERE type = 'LOGIN_FAILED' AND target_id = $1 ORDER BY id DESC LIMIT 1`,
      [user.id],
    );
    expect(event).toMatchObject({ outcome: 'denied', details: { method: 'federated-id-token', reason: 'DISABLED' } });
  });

  it('asks for the TOTP code as a second step when the provider requires it, then gives the application its code', async () => {
    const strict = unique('strict');
    const created = await admin.post('/api/v1/identity-providers', {
      alias: strict,
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      requireTotp: true,
    });
    expect(created.status).toBe(201);
    const { user, login, password } = await personAtProvider();
    const session = await loginAs(t.http, login, password);
    const { secret } = (await session.post('/api/v1/users/current/2fa/setup', { currentPassword: password })).body;
    expect((await session.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);

    const { page, verifier } = await startAtHostedPage();
    await page.getByRole('link', { name: `Continue with ${strict}` }).click();
    await page.getByLabel('Code').waitFor();
    await page.getByLabel('Code').fill(authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
    const code = new URL(page.url()).searchParams.get('code')!;
    await page.close();
    const tokens = await tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: spa.clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    expect((await t.http.as(tokens.body.access_token).get('/api/v1/users/current')).body.id).toBe(user.id);
    expect((await admin.delete(`/api/v1/identity-providers/${strict}`)).status).toBe(204);
  });

  it('refuses an ID token without the nonce of Careid’s request', async () => {
    await personAtProvider();
    // The provider answers with an ID token that carries another nonce than the one Careid sent.
    const original = idp.idToken.bind(idp);
    idp.idToken = (claims, signing) => original({ ...claims, nonce: 'not-the-one-careid-sent' }, signing);
    try {
      const { page } = await startAtHostedPage();
      await continueWith(page);
      expect(await alertOf(page)).toBe('Your account at that identity provider does not sign you in here.');
      await page.close();
    } finally {
      idp.idToken = original;
    }
    const [event] = await sql(t.database.url, `SELECT details FROM audit_events WHERE type = 'LOGIN_FAILED' ORDER BY id DESC LIMIT 1`);
    expect(event.details).toMatchObject({ method: 'federated-id-token', reason: 'nonce' });
  });
});
