/**
 * Access tokens Careid issues other than its own JWTs: the OpenID provider's
 * opaque ones (libs/oidc). The composition root binds it; the guard asks it
 * only for a bearer token that is not a JWT, once per token until it expires.
 */
export interface OpaqueAccessTokens {
  /** The token's user, session version, session (`sid`) and expiry (epoch seconds), or null when it is unknown or expired. */
  verify(token: string): Promise<{ sub: string; sv: number; sid: string; exp: number } | null>;
}

export const OPAQUE_ACCESS_TOKENS = Symbol('OPAQUE_ACCESS_TOKENS');
