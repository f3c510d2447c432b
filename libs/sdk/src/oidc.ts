import type { Fetch } from './http.js';

/** Careid's OpenID provider endpoints, below its issuer (the API's base URL); the same as its discovery document names. */
const PATHS = { authorize: '/oidc/auth', token: '/oidc/token', endSession: '/oidc/session/end', revocation: '/oidc/token/revocation' };

export interface CareidOidcOptions {
  /** The issuer: the API's base URL, e.g. `https://id.example.org`. */
  baseUrl: string;
  /** The application's `clientId` (a public application: PKCE, no secret). */
  clientId: string;
  fetch?: Fetch;
}

export interface Pkce {
  /** Keep it (e.g. in sessionStorage) until the callback: it goes with the code to the token endpoint. */
  verifier: string;
  /** Goes in the authorization URL. */
  challenge: string;
  method: 'S256';
}

export interface AuthorizeRequest {
  redirectUri: string;
  /** Default `openid profile email`; add `offline_access` for a refresh token. */
  scope?: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  /** `consent` is needed with `offline_access` (registered applications are never shown a consent screen). */
  prompt?: 'login' | 'consent' | 'none';
  loginHint?: string;
}

export interface OidcTokens {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  scope: string;
  idToken?: string;
  refreshToken?: string;
}

/** The provider's refusal (RFC 6749 5.2, or an authorization answer's `error`). */
export class OidcError extends Error {
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly status?: number,
  ) {
    super(description ? `${error}: ${description}` : error);
    this.name = 'OidcError';
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeSegment(segment: string): Record<string, unknown> {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function subtle(): typeof globalThis.crypto.subtle {
  const found = globalThis.crypto?.subtle;
  if (!found) throw new Error('WebCrypto (globalThis.crypto.subtle) is not available: use Node 20+ or a browser in a secure context');
  return found;
}

/**
 * The browser side of signing in through Careid's OpenID provider, with
 * fetch and WebCrypto only: the authorization URL (code flow with PKCE, state
 * and nonce), the callback's checks, the code exchange, refresh, revocation
 * and the logout URL. The ID token comes straight from the token endpoint
 * over TLS (OpenID Connect Core 3.1.3.7); its issuer, audience and nonce are
 * checked here. For more (silent renew, storage), use oidc-client-ts.
 */
export class CareidOidc {
  private readonly baseUrl: string;
  private readonly clientId: string;
  private readonly fetch: Fetch;

  constructor(options: CareidOidcOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.clientId = options.clientId;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** A random value for `state` or `nonce` (base64url of `bytes` random bytes). */
  static randomValue(bytes = 16): string {
    return base64url(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));
  }

  /** A PKCE verifier (32 random bytes) and its S256 challenge. */
  static async createPkce(): Promise<Pkce> {
    const verifier = CareidOidc.randomValue(32);
    const digest = await subtle().digest('SHA-256', new TextEncoder().encode(verifier));
    return { verifier, challenge: base64url(new Uint8Array(digest)), method: 'S256' };
  }

  authorizeUrl(request: AuthorizeRequest): string {
    const url = new URL(`${this.baseUrl}${PATHS.authorize}`);
    const params: Record<string, string | undefined> = {
      response_type: 'code',
      client_id: this.clientId,
      redirect_uri: request.redirectUri,
      scope: request.scope ?? 'openid profile email',
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      prompt: request.prompt,
      login_hint: request.loginHint,
    };
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    return url.toString();
  }

  /** The code of the page the provider sent the browser back to; throws its error, or when the state is not `expectedState`. */
  static codeFromCallback(callbackUrl: string, expectedState: string): string {
    const params = new URL(callbackUrl).searchParams;
    if (params.get('state') !== expectedState) throw new OidcError('state_mismatch', 'The answer is not for this request');
    const error = params.get('error');
    if (error) throw new OidcError(error, params.get('error_description') ?? undefined);
    const code = params.get('code');
    if (!code) throw new OidcError('invalid_response', 'The answer carries no code');
    return code;
  }

  /** Exchanges the code (with the PKCE verifier); the ID token's issuer, audience and `nonce` are checked. */
  async exchangeCode(exchange: { code: string; redirectUri: string; codeVerifier: string; nonce: string }): Promise<OidcTokens> {
    const tokens = await this.tokenRequest({
      grant_type: 'authorization_code',
      code: exchange.code,
      redirect_uri: exchange.redirectUri,
      code_verifier: exchange.codeVerifier,
    });
    if (!tokens.idToken) throw new OidcError('invalid_response', 'The answer carries no ID token');
    this.checkIdToken(tokens.idToken, exchange.nonce);
    return tokens;
  }

  /** New tokens for a refresh token (it rotates: keep the one answered, the old one no longer works). */
  refresh(refreshToken: string): Promise<OidcTokens> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** Revokes a token (RFC 7009); revoking a refresh token ends its grant and the Careid session behind it. */
  async revoke(token: string, tokenTypeHint?: 'access_token' | 'refresh_token'): Promise<void> {
    const response = await this.post(PATHS.revocation, { token, ...(tokenTypeHint ? { token_type_hint: tokenTypeHint } : {}) });
    if (!response.ok) throw await this.refusal(response);
  }

  /** Where to send the browser to sign out (RP-initiated logout); `postLogoutRedirectUri` must be registered. */
  endSessionUrl(logout: { idTokenHint?: string; postLogoutRedirectUri?: string; state?: string } = {}): string {
    const url = new URL(`${this.baseUrl}${PATHS.endSession}`);
    url.searchParams.set('client_id', this.clientId);
    if (logout.idTokenHint) url.searchParams.set('id_token_hint', logout.idTokenHint);
    if (logout.postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', logout.postLogoutRedirectUri);
    if (logout.state) url.searchParams.set('state', logout.state);
    return url.toString();
  }

  private async tokenRequest(form: Record<string, string>): Promise<OidcTokens> {
    const response = await this.post(PATHS.token, form);
    if (!response.ok) throw await this.refusal(response);
    const body = (await response.json()) as Record<string, unknown>;
    if (typeof body.access_token !== 'string') throw new OidcError('invalid_response', 'The answer carries no access token');
    return {
      accessToken: body.access_token,
      tokenType: String(body.token_type ?? 'Bearer'),
      expiresIn: Number(body.expires_in ?? 0),
      scope: String(body.scope ?? ''),
      idToken: typeof body.id_token === 'string' ? body.id_token : undefined,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    };
  }

  private post(path: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: this.clientId, ...form }).toString(),
    });
  }

  private async refusal(response: Response): Promise<OidcError> {
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    const error = typeof body.error === 'string' ? body.error : `http_${response.status}`;
    return new OidcError(error, typeof body.error_description === 'string' ? body.error_description : undefined, response.status);
  }

  private checkIdToken(idToken: string, nonce: string): void {
    const claims = decodeSegment(idToken.split('.')[1] ?? '');
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== this.baseUrl) throw new OidcError('invalid_id_token', 'The ID token is from another issuer');
    if (!audience.includes(this.clientId)) throw new OidcError('invalid_id_token', 'The ID token is for another client');
    if (claims.nonce !== nonce) throw new OidcError('invalid_id_token', 'The ID token is not for this request (nonce)');
  }
}
