import { CareidApiError } from './errors.js';
import type { components } from './generated/schema.js';
import type { AccessTokenSource, HttpClient } from './http.js';

export type TokenPair = components['schemas']['TokenPairDto'];

export interface Credentials {
  login: string;
  /** The password, or a live authentication token (e.g. the long-lived token of an activation). */
  password: string;
  /** TOTP code, for users with two-factor login. */
  totp?: string;
}

/** Tokens to start a session with; without `expiresIn`, the JWT's own `exp` says when to refresh. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn?: number;
}

/** Renew this long before the access token expires (at most half its lifetime). */
const RENEW_MARGIN_MS = 30_000;

/**
 * A logged-in session: logs in on first use, refreshes the access token when it
 * is near expiry or the server calls it expired, with one renewal in flight at a
 * time (a refresh token works once; a second concurrent refresh would end the session).
 * When refreshing fails and the session knows a login and password, it logs in again.
 */
export class Session implements AccessTokenSource {
  private tokens: { accessToken: string; refreshToken: string; renewAt: number } | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly anonymous: HttpClient,
    private readonly credentials?: Credentials,
    tokens?: SessionTokens,
  ) {
    if (!credentials && !tokens) throw new TypeError('A session needs a login and password, or tokens');
    if (tokens) this.store(tokens);
  }

  async accessToken(): Promise<string> {
    if (!this.tokens || Date.now() >= this.tokens.renewAt) await this.renew();
    return this.tokens!.accessToken;
  }

  async expired(rejected: string): Promise<void> {
    if (this.tokens?.accessToken === rejected) await this.renew();
  }

  /** The current refresh token (undefined before the first login). */
  get refreshToken(): string | undefined {
    return this.tokens?.refreshToken;
  }

  /** Ends the session on the server; the next call logs in again when the session knows a password. */
  async logout(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    this.tokens = undefined;
    if (refreshToken) await this.anonymous.post('/api/v1/auth/logout', { body: { refreshToken } });
  }

  private renew(): Promise<void> {
    this.renewing ??= this.obtainTokens().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async obtainTokens(): Promise<void> {
    if (this.tokens) {
      try {
        this.store(await this.anonymous.post('/api/v1/auth/refresh', { body: { refreshToken: this.tokens.refreshToken } }));
        return;
      } catch (error) {
        if (!this.credentials || !(error instanceof CareidApiError && error.status === 401)) throw error;
      }
    }
    if (!this.credentials) throw new CareidApiError({ status: 401, code: 'SESSION_ENDED', detail: 'The session ended; log in again' });
    this.store(await this.anonymous.post('/api/v1/auth/login', { body: this.credentials }));
  }

  private store(tokens: SessionTokens): void {
    const now = Date.now();
    const expiresAt = tokens.expiresIn !== undefined ? now + tokens.expiresIn * 1000 : jwtExpiry(tokens.accessToken);
    const renewAt = expiresAt === undefined ? Infinity : expiresAt - Math.min(RENEW_MARGIN_MS, (expiresAt - now) / 2);
    this.tokens = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, renewAt };
  }
}

/** `exp` of a JWT (epoch ms), read without verifying: only to know when to refresh. */
function jwtExpiry(jwt: string): number | undefined {
  try {
    const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(payload)) as { exp?: unknown };
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
