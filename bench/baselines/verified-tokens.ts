/**
 * The bare server's memory of verified access JWTs, as the app's guard keeps
 * them (libs/identity/src/api/verified-tokens.ts): by the token's exact text,
 * until its `exp`, the oldest making way once `capacity` are held.
 */
export interface VerifiedClaims {
  sub: string;
  sv: number;
  sid: string;
  exp: number;
}

export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedClaims>();

  constructor(private readonly capacity = 10_000) {}

  get(token: string): VerifiedClaims | undefined {
    const claims = this.entries.get(token);
    if (claims && Math.floor(Date.now() / 1000) >= claims.exp) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: VerifiedClaims): void {
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
  }
}
