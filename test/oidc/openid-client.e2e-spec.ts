import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { requireEsm } from '@careid/oidc';
import { launchBrowser } from '../support/browser';
import { HttpClient } from '../support/http';
import { createUser, loginAsAdmin } from '../support/session';
import { TestApp } from '../support/test-app';
import { registerApplication, REDIRECT_URI, SCOPE, signInAtHostedPage, startProviderApp, stubApplication } from './oidc-support';

type OpenIdClient = typeof import('openid-client');

/** openid-client (a certified relying party) against the provider, as a server-side application would use it, unchanged. */
describe('OpenID provider with openid-client as the relying party', () => {
  const client = requireEsm<OpenIdClient>('openid-client');
  let t: TestApp;
  let admin: HttpClient;
  let browser: Browser;

  beforeAll(async () => {
    t = await startProviderApp();
    admin = await loginAsAdmin(t.http);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('discovers, runs code + PKCE, reads userinfo, refreshes, and revokes, for a confidential client', async () => {
    const application = await registerApplication(admin, 'confidential');
    const { user, login, password } = await createUser(admin, { name: 'Grace Hopper' });
    // Loopback http issuer in tests: openid-client wants that said out loud.
    const config = await client.discovery(
      new URL(t.baseUrl),
      application.clientId,
      application.clientSecret!,
      client.ClientSecretBasic(application.clientSecret!),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    expect(config.serverMetadata().issuer).toBe(t.baseUrl);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      prompt: 'consent',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await browser.newPage();
    await stubApplication(page);
    await page.goto(url.toString());
    await signInAtHostedPage(page, login, password);
    await page.waitForURL((current) => current.toString().startsWith(REDIRECT_URI));
    const callback = new URL(page.url());
    await page.close();

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: user.id, email: user.email, name: 'Grace Hopper' });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(userinfo).toMatchObject({ sub: user.id, email: user.email, name: 'Grace Hopper', preferred_username: login });
    expect((await t.http.as(tokens.access_token).get('/api/v1/users/current')).body.id).toBe(user.id);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await t.http.as(refreshed.access_token).get('/api/v1/users/current')).status).toBe(200);

    await client.tokenRevocation(config, refreshed.refresh_token!);
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Revoking the refresh token revokes the grant: the REST API refuses its access token too.
    expect((await t.http.as(refreshed.access_token).get('/api/v1/users/current')).status).toBe(401);
  });

  it('serves a public client that authenticates with nothing but PKCE', async () => {
    const application = await registerApplication(admin, 'public');
    const { user, login, password } = await createUser(admin);
    const config = await client.discovery(new URL(t.baseUrl), application.clientId, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const state = randomBytes(8).toString('hex');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await browser.newPage();
    await stubApplication(page);
    await page.goto(url.toString());
    await signInAtHostedPage(page, login, password);
    await page.waitForURL((current) => current.toString().startsWith(REDIRECT_URI));
    const callback = new URL(page.url());
    await page.close();
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.claims()?.sub).toBe(user.id);
    expect(tokens.refresh_token).toBeUndefined();
  });
});
