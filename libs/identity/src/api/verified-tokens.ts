/** What the access JWT's signature vouched for, kept with its expiry (`exp`, epoch seconds). */
export interface VerifiedClaims {
  sub: string;
  sv: number;
  /** The session (refresh-token family) the token belongs to. */
  sid: string;
  exp: number;
}

/**
 * Access JWTs whose signature, issuer and audience were checked, by their
 * exact text: a client sends the same token with every request until it
 * expires, so its HMAC is checked and its text parsed once. An entry is only good until the token's `exp` (as
 * jsonwebtoken counts it: expired from that second on), never after; only
 * tokens that passed the full check get in, so forged ones cannot fill it,
 * and the oldest entry makes way once `capacity` are held. Session checks
 * (revocation) are not cached here: the guard still asks for the principal.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedClaims>();

  constructor(
    private readonly capacity = 10_000,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** The claims of a token checked before, unless it has expired since (then it is forgotten). */
  get(token: string): VerifiedClaims | undefined {
    const claims = this.entries.get(token);
    if (claims && this.nowSeconds() >= claims.exp) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: VerifiedClaims): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
  }

  get size(): number {
    return this.entries.size;
  }
}
