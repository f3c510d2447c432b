import { Injectable, Logger } from '@nestjs/common';
import { errors, jwtVerify } from 'jose';
import { ID_TOKEN_ALGORITHMS, IdentityProvider, IdTokenIdentity, identityOf } from '../../domain/federation';
import { ProviderFetchError } from '../../infrastructure/provider-http';
import { ProviderKeys } from '../../infrastructure/provider-keys';

/** Clocks of the provider and of Careid may differ this much (`exp`, `iat`, `nbf`). */
const CLOCK_TOLERANCE_SECONDS = 30;

/** A verified token's identity, or why the token was refused (for the audit trail, never for the client). */
export type IdTokenCheck = { identity: IdTokenIdentity } | { refusal: string };

/** jose's refusals, in the audit trail's words. */
const REFUSALS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'expired',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown-key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'ambiguous-key',
  ERR_JOSE_NOT_SUPPORTED: 'algorithm',
};

function refusalOf(error: errors.JOSEError): string {
  if (REFUSALS[error.code]) return REFUSALS[error.code];
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = { iss: 'issuer', aud: 'audience' }[error.claim];
    return claim ?? `claim-${error.claim}`.slice(0, 40);
  }
  return 'malformed';
}

/**
 * Verifies an ID token of a provider with jose: signed by a key of the
 * provider's JWKS with an asymmetric algorithm (never `none`, never HMAC),
 * `iss` the provider's issuer, `aud` containing its client id (and `azp`,
 * when several audiences are named, that client id), unexpired; and, for
 * a token Careid asked for itself (the hosted page's code flow), carrying
 * the nonce of that request.
 */
@Injectable()
export class IdTokenVerifier {
  private readonly logger = new Logger(IdTokenVerifier.name);

  constructor(private readonly keys: ProviderKeys) {}

  /** `provider-unavailable` when the provider's keys cannot be fetched (the client may retry). */
  async verify(provider: IdentityProvider, idToken: string, nonce?: string): Promise<IdTokenCheck> {
    try {
      const { payload } = await jwtVerify(idToken, this.keys.resolverFor(provider.issuer), {
        issuer: provider.issuer,
        audience: provider.clientId,
        algorithms: ID_TOKEN_ALGORITHMS,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== provider.clientId) return { refusal: 'authorized-party' };
      if (nonce !== undefined && payload.nonce !== nonce) return { refusal: 'nonce' };
      const identity = identityOf(payload);
      return identity ? { identity } : { refusal: 'subject' };
    } catch (error) {
      if (error instanceof ProviderFetchError) {
        this.logger.warn({ provider: provider.alias, cause: error.message }, 'Identity provider keys unavailable');
        return { refusal: 'provider-unavailable' };
      }
      if (error instanceof errors.JOSEError) return { refusal: refusalOf(error) };
      throw error;
    }
  }
}
