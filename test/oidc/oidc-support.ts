import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { HttpClient } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';

export const REDIRECT_URI = 'https://app.example/cb';
export const POST_LOGOUT_URI = 'https://app.example/signed-out';
export const SCOPE = 'openid profile email offline_access';

/** A free port, so that PUBLIC_URL (the issuer) is the test app's real address. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** The app with its issuer at its own address. */
export async function startProviderApp(env: Record<string, string> = {}): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...env } });
}

export async function registerApplication(admin: HttpClient, type: 'public' | 'confidential', extra: Record<string, unknown> = {}) {
  const response = await admin.post('/api/v1/applications', {
    name: `Chart ${type}`,
    type,
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [POST_LOGOUT_URI],
    ...extra,
  });
  if (response.status !== 201) throw new Error(`register application failed: ${response.status} ${response.text}`);
  return response.body as { id: string; clientId: string; clientSecret?: string };
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(
  t: TestApp,
  clientId: string,
  options: { state: string; nonce: string; challenge?: string; redirectUri?: string; prompt?: string },
) {
  const url = new URL('/oidc/auth', t.baseUrl);
  const params: Record<string, string | undefined> = {
    client_id: clientId,
    redirect_uri: options.redirectUri ?? REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    state: options.state,
    nonce: options.nonce,
    prompt: options.prompt ?? 'consent',
    code_challenge: options.challenge,
    code_challenge_method: options.challenge ? 'S256' : undefined,
  };
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** The application's side of the browser: its pages answer without a server (the browser never leaves the test). */
export async function stubApplication(page: Page): Promise<void> {
  await page.route('https://app.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>app</p>' }));
}

/** Signs in at the hosted page (the page must be showing it) and returns where the browser was sent back. */
export async function signInAtHostedPage(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function tokenRequest(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.baseUrl}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
}
