import { createHash } from 'node:crypto';
import { CareidOidc, OidcError } from './oidc';
import type { Fetch } from './http';

const BASE = 'https://id.example.org';
const CLIENT = 'careid-spa';
const REDIRECT = 'https://chart.example.org/callback';

/** A token endpoint that records the forms it got and answers `respond`'s JSON. */
function fakeProvider(respond: (form: URLSearchParams, url: string) => [number, unknown]) {
  const sent: { url: string; form: URLSearchParams; headers: Record<string, string> }[] = [];
  const fetch: Fetch = async (url, init) => {
    const form = new URLSearchParams(String(init.body));
    sent.push({ url, form, headers: init.headers as Record<string, string> });
    const [status, body] = respond(form, url);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { sent, fetch };
}

/** An unsigned stand-in for an ID token: the SDK only reads its claims (it came over TLS from the token endpoint). */
const idToken = (claims: Record<string, unknown>) =>
  ['{"alg":"RS256"}', JSON.stringify(claims)].map((part) => Buffer.from(part).toString('base64url')).join('.') + '.signature';

describe('CareidOidc', () => {
  it('makes a PKCE pair whose challenge is the S256 of its verifier', async () => {
    const pkce = await CareidOidc.createPkce();
    expect(pkce.method).toBe('S256');
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pkce.challenge).toBe(createHash('sha256').update(pkce.verifier).digest('base64url'));
    expect((await CareidOidc.createPkce()).verifier).not.toBe(pkce.verifier);
  });

  it('builds the authorization URL of the code flow with PKCE, state and nonce', () => {
    const oidc = new CareidOidc({ baseUrl: `${BASE}/`, clientId: CLIENT });
    const url = new URL(
      oidc.authorizeUrl({
        redirectUri: REDIRECT,
        scope: 'openid offline_access',
        state: 's1',
        nonce: 'n1',
        codeChallenge: 'c1',
        prompt: 'consent',
      }),
    );
    expect(url.origin + url.pathname).toBe(`${BASE}/oidc/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      state: 's1',
      nonce: 'n1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
      prompt: 'consent',
    });
  });

  it('reads the callback: the code for the right state, the provider’s error, a refusal for another state', () => {
    expect(CareidOidc.codeFromCallback(`${REDIRECT}?code=abc&state=s1`, 's1')).toBe('abc');
    expect(() => CareidOidc.codeFromCallback(`${REDIRECT}?code=abc&state=other`, 's1')).toThrow('state_mismatch');
    const refused = (() => {
      try {
        CareidOidc.codeFromCallback(`${REDIRECT}?error=access_denied&error_description=no&state=s1`, 's1');
      } catch (error) {
        return error as OidcError;
      }
    })();
    expect(refused).toBeInstanceOf(OidcError);
    expect(refused).toMatchObject({ error: 'access_denied', description: 'no' });
  });

  it('exchanges the code with the verifier, as a public client, and checks the ID token’s issuer, audience and nonce', async () => {
    const { sent, fetch } = fakeProvider(() => [
      200,
      {
        access_token: 'at',
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'openid',
        refresh_token: 'rt',
        id_token: idToken({ iss: BASE, aud: CLIENT, nonce: 'n1', sub: 'u1' }),
      },
    ]);
    const oidc = new CareidOidc({ baseUrl: BASE, clientId: CLIENT, fetch });
    const tokens = await oidc.exchangeCode({ code: 'abc', redirectUri: REDIRECT, codeVerifier: 'v1', nonce: 'n1' });
    expect(tokens).toMatchObject({ accessToken: 'at', refreshToken: 'rt', expiresIn: 900, tokenType: 'Bearer' });
    expect(sent[0].url).toBe(`${BASE}/oidc/token`);
    expect(sent[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(sent[0].form)).toEqual({
      client_id: CLIENT,
      grant_type: 'authorization_code',
      code: 'abc',
      redirect_uri: REDIRECT,
      code_verifier: 'v1',
    });
    await expect(oidc.exchangeCode({ code: 'abc', redirectUri: REDIRECT, codeVerifier: 'v1', nonce: 'another' })).rejects.toThrow('nonce');
  });

  it('refuses an ID token of another issuer or for another client', async () => {
    for (const [claims, reason] of [
      [{ iss: 'https://evil.example', aud: CLIENT, nonce: 'n1' }, 'another issuer'],
      [{ iss: BASE, aud: ['someone-else'], nonce: 'n1' }, 'another client'],
    ] as const) {
      const { fetch } = fakeProvider(() => [200, { access_token: 'at', id_token: idToken(claims) }]);
      const oidc = new CareidOidc({ baseUrl: BASE, clientId: CLIENT, fetch });
      await expect(oidc.exchangeCode({ code: 'c', redirectUri: REDIRECT, codeVerifier: 'v', nonce: 'n1' })).rejects.toThrow(reason);
    }
  });

  it('refreshes with the refresh token and gives the provider’s refusal as an OidcError', async () => {
    const { sent, fetch } = fakeProvider((form) =>
      form.get('refresh_token') === 'good'
        ? [200, { access_token: 'at2', refresh_token: 'rt2', expires_in: 900 }]
        : [400, { error: 'invalid_grant', error_description: 'grant request is invalid' }],
    );
    const oidc = new CareidOidc({ baseUrl: BASE, clientId: CLIENT, fetch });
    expect(await oidc.refresh('good')).toMatchObject({ accessToken: 'at2', refreshToken: 'rt2' });
    expect(Object.fromEntries(sent[0].form)).toEqual({ client_id: CLIENT, grant_type: 'refresh_token', refresh_token: 'good' });
    await expect(oidc.refresh('used')).rejects.toMatchObject({ name: 'OidcError', error: 'invalid_grant', status: 400 });
  });

  it('revokes a token and builds the logout URL', async () => {
    const { sent, fetch } = fakeProvider(() => [200, {}]);
    const oidc = new CareidOidc({ baseUrl: BASE, clientId: CLIENT, fetch });
    await oidc.revoke('rt', 'refresh_token');
    expect(sent[0].url).toBe(`${BASE}/oidc/token/revocation`);
    expect(Object.fromEntries(sent[0].form)).toEqual({ client_id: CLIENT, token: 'rt', token_type_hint: 'refresh_token' });
    const logout = new URL(oidc.endSessionUrl({ idTokenHint: 'idt', postLogoutRedirectUri: 'https://chart.example.org/', state: 'bye' }));
    expect(logout.origin + logout.pathname).toBe(`${BASE}/oidc/session/end`);
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: CLIENT,
      id_token_hint: 'idt',
      post_logout_redirect_uri: 'https://chart.example.org/',
      state: 'bye',
    });
  });
});
