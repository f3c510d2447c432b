import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { OpenIdProvider, SigningKeys } from '@careid/oidc';
import { authenticator } from 'otplib';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin } from '../support/session';
import { TestApp } from '../support/test-app';
import {
  authorizeUrl,
  pkce,
  POST_LOGOUT_URI,
  REDIRECT_URI,
  registerApplication,
  signInAtHostedPage,
  startProviderApp,
  stubApplication,
  tokenRequest,
} from './oidc-support';

const nextCode = (secret: string) => authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);

describe('OpenID provider: the authorization code flow in a real browser', () => {
  let t: TestApp;
  let admin: HttpClient;
  let browser: Browser;
  let spa: { id: string; clientId: string };

  beforeAll(async () => {
    t = await startProviderApp();
    admin = await loginAsAdmin(t.http);
    spa = await registerApplication(admin, 'public');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  /** authorize → hosted page → code and state back at the application. */
  async function authorize(login: string, password: string, totpSecret?: string) {
    const page = await browser.newPage();
    await stubApplication(page);
    const { verifier, challenge } = pkce();
    const state = randomBytes(8).toString('hex');
    const nonce = randomBytes(8).toString('hex');
    await page.goto(authorizeUrl(t, spa.clientId, { state, nonce, challenge }));
    expect(await page.title()).toBe('Sign in · Careid');
    expect(await page.getByLabel('Login').getAttribute('autocomplete')).toBe('username');
    expect(await page.getByLabel('Password').getAttribute('autocomplete')).toBe('current-password');
    await signInAtHostedPage(page, login, password);
    if (totpSecret) {
      await page.getByLabel('Code').waitFor();
      expect(await page.getByLabel('Code').getAttribute('autocomplete')).toBe('one-time-code');
      await page.getByLabel('Code').fill(nextCode(totpSecret));
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.waitForURL((url) => url.toString().startsWith(REDIRECT_URI));
    const back = new URL(page.url());
    return { page, code: back.searchParams.get('code')!, state: back.searchParams.get('state'), sentState: state, nonce, verifier };
  }

  it('signs in with a password, exchanges the code with the verifier, calls the API, refreshes, and logs out everywhere', async () => {
    const { user, login, password } = await createUser(admin, { name: 'Ada Lovelace' });
    const { page, code, state, sentState, nonce, verifier } = await authorize(login, password);
    expect(state).toBe(sentState);
    expect(code).toBeTruthy();

    const tokens = await tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: spa.clientId,
      code_verifier: verifier,
    });
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('cache-control')).toBe('no-store');
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: expect.stringContaining('openid') });

    // The ID token verifies against the published keys, for this issuer, this client and this nonce.
    const discovery = (await (await fetch(`${t.baseUrl}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(t.baseUrl);
    const { payload, protectedHeader } = await jwtVerify(tokens.body.id_token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: t.baseUrl,
      audience: spa.clientId,
    });
    expect(['RS256', 'ES256']).toContain(protectedHeader.alg);
    expect(payload).toMatchObject({ sub: user.id, nonce, email: user.email, name: 'Ada Lovelace' });

    // The REST API takes the access token, as its own.
    const api = t.http.as(tokens.body.access_token);
    expect((await api.get('/api/v1/users/current')).body.id).toBe(user.id);

    const refreshed = await tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token,
      client_id: spa.clientId,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.body.refresh_token);
    expect((await t.http.as(refreshed.body.access_token).get('/api/v1/users/current')).status).toBe(200);

    // RP-initiated logout at the provider, confirmed on its page: the session ends everywhere.
    const logout = new URL('/oidc/session/end', t.baseUrl);
    logout.searchParams.set('id_token_hint', refreshed.body.id_token);
    logout.searchParams.set('post_logout_redirect_uri', POST_LOGOUT_URI);
    await page.goto(logout.toString());
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.toString().startsWith(POST_LOGOUT_URI));
    await page.close();
    expect((await api.get('/api/v1/users/current')).status).toBe(401);
    expect((await t.http.as(refreshed.body.access_token).get('/api/v1/users/current')).status).toBe(401);
    const afterLogout = await tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token,
      client_id: spa.clientId,
    });
    expect(afterLogout.status).toBe(400);
    expect(afterLogout.body.error).toBe('invalid_grant');
  });

  it('logs out without a provider session straight back to the application: its automatic form post may continue there', async () => {
    // A browser that never signed in here (or whose provider session is gone): oidc-provider answers with a page that
    // posts the logout on its own, and the post's redirect to the application is held to that page's form-action.
    const context = await browser.newContext();
    const page = await context.newPage();
    await stubApplication(page);
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) blocked.push(message.text());
    });
    const logout = new URL('/oidc/session/end', t.baseUrl);
    logout.searchParams.set('client_id', spa.clientId);
    logout.searchParams.set('post_logout_redirect_uri', POST_LOGOUT_URI);
    logout.searchParams.set('state', 'bye');
    const answer = await page.goto(logout.toString());
    const policy = answer!.headers()['content-security-policy'];
    expect(policy).toMatch(/form-action 'self' https:\/\/app\.example(;|$)/);
    await page.waitForURL((url) => url.toString().startsWith(POST_LOGOUT_URI));
    expect(new URL(page.url()).searchParams.get('state')).toBe('bye');
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('asks a user with two-factor login for its code as a second step', async () => {
    const { user, login, password } = await createUser(admin);
    const session = await loginAs(t.http, login, password);
    const { secret } = (await session.post('/api/v1/users/current/2fa/setup', { currentPassword: password })).body;
    expect((await session.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);

    const { page, code, verifier } = await authorize(login, password, secret);
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
  });

  it('refuses a public client without PKCE, an unregistered redirect URI, a wrong verifier and a reused code', async () => {
    const state = 's';
    const nonce = 'n';
    const noPkce = await fetch(authorizeUrl(t, spa.clientId, { state, nonce }), { redirect: 'manual' });
    const refused = new URL(noPkce.headers.get('location')!);
    expect(refused.origin + refused.pathname).toBe(REDIRECT_URI);
    expect(refused.searchParams.get('error')).toBe('invalid_request');
    expect(refused.searchParams.get('code')).toBeNull();

    // An unregistered redirect URI is never redirected to, not even with the error.
    const elsewhere = await fetch(
      authorizeUrl(t, spa.clientId, { state, nonce, challenge: pkce().challenge, redirectUri: 'https://app.example/other' }),
      {
        redirect: 'manual',
      },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
    expect(await elsewhere.text()).toContain('redirect_uri');

    const { login, password } = await createUser(admin);
    const first = await authorize(login, password);
    await first.page.close();
    const exchange = (code: string, verifier: string) =>
      tokenRequest(t, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: spa.clientId,
        code_verifier: verifier,
      });
    const wrong = await exchange(first.code, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');

    const second = await authorize(login, password);
    await second.page.close();
    const tokens = await exchange(second.code, second.verifier);
    expect(tokens.status).toBe(200);
    const reused = await exchange(second.code, second.verifier);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    // A code used twice was stolen: what it gave is revoked, down to the REST API.
    expect((await t.http.as(tokens.body.access_token).get('/api/v1/users/current')).status).toBe(401);
  });

  it('a password set by an admin ends the provider sign-in too: tokens refused, the next authorization asks again', async () => {
    const { user, login, password } = await createUser(admin);
    const { page, code, verifier } = await authorize(login, password);
    const tokens = await tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: spa.clientId,
      code_verifier: verifier,
    });
    expect((await t.http.as(tokens.body.access_token).get('/api/v1/users/current')).status).toBe(200);

    const current = (await admin.get(`/api/v1/users/${user.id}`)).body;
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...current, passwordHash: 'a new admin-chosen password' })).status).toBe(200);

    expect((await t.http.as(tokens.body.access_token).get('/api/v1/users/current')).status).toBe(401);
    const refresh = await tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token,
      client_id: spa.clientId,
    });
    expect(refresh.body.error).toBe('invalid_grant');
    // The same browser, with its provider cookie: asked to sign in again, not sent straight back with a code.
    await page.goto(authorizeUrl(t, spa.clientId, { state: 'again', nonce: 'again', challenge: pkce().challenge }));
    expect(await page.title()).toBe('Sign in · Careid');
    await page.close();
  });

  it('says so, accessibly, when the password is wrong, and keeps the login typed', async () => {
    const { login } = await createUser(admin);
    const page = await browser.newPage();
    await stubApplication(page);
    await page.goto(authorizeUrl(t, spa.clientId, { state: 's', nonce: 'n', challenge: pkce().challenge }));
    await signInAtHostedPage(page, login, 'not the password at all');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('The login or the password is not correct.');
    expect(await page.getByLabel('Login').inputValue()).toBe(login);
    expect(await page.getByLabel('Login').getAttribute('aria-invalid')).toBe('true');
    await page.close();
  });

  it('rotates its signing keys without breaking tokens in flight', async () => {
    const { login, password } = await createUser(admin);
    const { page, code, verifier } = await authorize(login, password);
    await page.close();
    const before = await tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: spa.clientId,
      code_verifier: verifier,
    });
    const oldKid = decodeProtectedHeader(before.body.id_token).kid;

    await t.app.get(SigningKeys).rotate();
    await t.app.get(OpenIdProvider).reload();

    const after = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: before.body.refresh_token, client_id: spa.clientId });
    expect(after.status).toBe(200);
    expect(decodeProtectedHeader(after.body.id_token).kid).not.toBe(oldKid);
    // Both verify against the JWKS published now: the retired key is still there, for verification only.
    const jwks = (await (await fetch(`${t.baseUrl}/oidc/jwks`)).json()) as { keys: { kid: string; d?: string; key_ops?: string[] }[] };
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
    expect(jwks.keys.find((key) => key.kid === oldKid)?.key_ops).toEqual(['verify']);
    const keySet = createLocalJWKSet(jwks as never);
    for (const idToken of [before.body.id_token, after.body.id_token])
      await expect(jwtVerify(idToken, keySet, { issuer: t.baseUrl, audience: spa.clientId })).resolves.toBeTruthy();
    // The access token issued before the rotation still works (opaque, bound to its Careid session, not to a key).
    expect((await t.http.as(before.body.access_token).get('/api/v1/users/current')).status).toBe(200);
  });
});
