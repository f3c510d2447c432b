import { isIP } from 'node:net';
import { ADMIN_ROLE } from './principal';
import { identityError } from './identity.errors';

/** An external OpenID provider users sign in with (Keycloak's identity provider, Medplum's external auth). */
export interface IdentityProvider {
  alias: string;
  rev: string;
  issuer: string;
  clientId: string;
  /** In clear in memory only: the repository seals it at rest (SecretCipher) and no answer carries it. */
  clientSecret: string | null;
  allowSignup: boolean;
  defaultRoles: string[];
  /** Users with use2fa also owe their Careid TOTP code; otherwise the provider's own sign-in suffices (Keycloak's default). */
  requireTotp: boolean;
  created: number;
  modified: number;
}

/** A user's account at a provider: the provider's `sub`, unique per provider, linked to one user. */
export interface FederatedIdentity {
  provider: string;
  subject: string;
  userId: string;
  /** The address the provider gave when the link was made. */
  email: string | null;
  created: number;
}

/**
 * ID tokens are accepted only with these signatures: asymmetric, so that a
 * token signed with what the provider publishes (its public key, used as an
 * HMAC secret) or unsigned (`alg: none`) never verifies.
 */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** RFC 8693's token type of an OpenID Connect ID token, the one subject token type token exchange takes. */
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  if (LOOPBACK_HOSTS.has(hostname)) return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

/**
 * An issuer as OpenID Connect Discovery wants it: an https URL without
 * query or fragment; plain http only on a loopback address (development and
 * tests). Returned as given (the `iss` of ID tokens must equal it exactly).
 */
export function assertIssuerAllowed(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw identityError('INVALID_ISSUER');
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
  if (!secure || url.search || url.hash || url.username || url.password || issuer.includes('#') || issuer.includes('?'))
    throw identityError('INVALID_ISSUER');
  return issuer;
}

/** A URL the provider's discovery points to (its JWKS): the same rule as its issuer. */
export function isAllowedProviderUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    assertIssuerAllowed(value.replace(/[?#].*$/, ''));
    return true;
  } catch {
    return false;
  }
}

/** Sign-up never makes an admin: an identity provider is not trusted with that. */
export function assertDefaultRolesAllowed(roles: string[]): void {
  if (roles.some((role) => role.toUpperCase() === ADMIN_ROLE)) throw identityError('DEFAULT_ROLE_NOT_ALLOWED');
}

/** What Careid reads from a verified ID token. */
export interface IdTokenIdentity {
  subject: string;
  email: string | null;
  /** `email_verified: true` (some providers send the string "true"). */
  emailVerified: boolean;
  name: string | null;
}

const MAX_CLAIM_LENGTH = 255;
const text = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH ? value : null);

/** The identity claims of a verified token; null without a usable `sub` (OpenID Connect caps it at 255 ASCII characters). */
export function identityOf(claims: Record<string, unknown>): IdTokenIdentity | null {
  const subject = text(claims.sub);
  if (!subject) return null;
  return {
    subject,
    email: text(claims.email),
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: text(claims.name),
  };
}
