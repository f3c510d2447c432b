import { createHash, randomBytes } from 'node:crypto';
import { call, Identity, tokenLogin } from './api';
import { withClient } from './database';
import type { Child } from './processes';

/** The bench's application: public (PKCE), allowed refresh tokens, as an SPA registers. */
export const BENCH_REDIRECT_URI = 'https://bench.careid.test/cb';
const SCOPE = 'openid profile email offline_access';

export interface BenchCode {
  clientId: string;
  code: string;
  verifier: string;
}

/** Registers the bench's public application (as the admin) and answers its client id. */
export async function registerBenchApplication(app: Child, admin: Identity): Promise<string> {
  const { accessToken } = await tokenLogin(app, admin);
  const created = await call(
    app.url,
    'POST',
    '/api/v1/applications',
    { name: 'Bench SPA', type: 'public', redirectUris: [BENCH_REDIRECT_URI], allowedScopes: SCOPE.split(' ') },
    accessToken,
  );
  return created.clientId as string;
}

/**
 * One real authorization code, got as a browser gets it (authorize, the hosted page's form with a login token as the
 * password, the consent step that records the grant), with fetch and a jar of the provider's cookies.
 */
export async function authorizationCode(app: Child, clientId: string, who: Identity): Promise<BenchCode> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/oidc/auth', app.url);
  const params = {
    client_id: clientId,
    redirect_uri: BENCH_REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    state: 'bench',
    nonce: 'bench-nonce',
    prompt: 'consent',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const jar = new Map<string, string>();
  let next: { url: string; method: 'GET' | 'POST'; body?: string } = { url: url.toString(), method: 'GET' };
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(next.url, {
      method: next.method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: next.body,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    await response.text();
    const location = response.headers.get('location');
    if (location?.startsWith(BENCH_REDIRECT_URI)) {
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`the provider answered without a code: ${location}`);
      return { clientId, code, verifier };
    }
    if (location) next = { url: new URL(location, app.url).toString(), method: 'GET' };
    else if (response.status === 200 && next.method === 'GET' && next.url.includes('/oidc/interaction/'))
      next = { url: next.url, method: 'POST', body: new URLSearchParams({ login: who.login, password: who.token }).toString() };
    else throw new Error(`the code flow stopped at ${next.method} ${next.url}: ${response.status}`);
  }
  throw new Error('the code flow did not end within 12 redirects');
}

/**
 * `count` copies of a real code's row (ids `<prefix><n>`), valid for an hour: the same grant, client, PKCE challenge
 * and nonce, so that each is exchanged as the real one would be. SQL (generate_series), outside the measured window.
 */
export async function copyAuthorizationCode(url: string, template: string, prefix: string, count: number): Promise<string[]> {
  const expiresAt = Date.now() + 3600_000;
  await withClient(url, (client) =>
    client.query(
      `INSERT INTO oidc_payloads (kind, id, payload, grant_id, expires_at)
       SELECT 'AuthorizationCode', $2 || n,
              jsonb_set(jsonb_set(t.payload, '{jti}', to_jsonb($2 || n)), '{exp}', to_jsonb($4::bigint / 1000)), t.grant_id, $4
       FROM oidc_payloads t CROSS JOIN generate_series(1, $3::int) AS n
       WHERE t.kind = 'AuthorizationCode' AND t.id = $1`,
      [template, prefix, count, expiresAt],
    ),
  );
  return Array.from({ length: count }, (_, n) => `${prefix}${n + 1}`);
}

/** Token requests that each present a code of the pool (a code works once). */
export function codeExchanges(code: BenchCode, pool: string[]) {
  return () => ({
    body: () =>
      new URLSearchParams({
        grant_type: 'authorization_code',
        code: pool.pop() ?? code.code,
        redirect_uri: BENCH_REDIRECT_URI,
        client_id: code.clientId,
        code_verifier: code.verifier,
      }).toString(),
    onResponse: () => undefined,
  });
}
