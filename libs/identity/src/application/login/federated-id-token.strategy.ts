import { Injectable } from '@nestjs/common';
import type { DomainError } from '@careid/shared';
import { identityError } from '../../domain/identity.errors';
import { FederatedAccounts } from '../federation/federated-accounts';
import type { LoginCandidate } from './login-method';
import { LoginMethodStrategy } from './login-method';
import { LoginRules } from './login-rules';

/** `POST /auth/token-exchange`'s body (RFC 8693 in JSON). */
export interface TokenExchangeAttempt {
  provider: string;
  subjectToken: string;
  subjectTokenType: string;
  totp?: string;
  /**
   * Set only by the hosted sign-in page, whose code flow sent this nonce to the provider (the REST body cannot carry
   * it: unknown properties are refused there).
   */
  nonce?: string;
}

/** Refusals that answer otherwise than 401 FEDERATED_LOGIN_REFUSED: a provider that is not there, or is down (retry). */
const REFUSAL_ERRORS: Record<string, () => DomainError> = {
  'unknown-provider': () => identityError('UNKNOWN_IDENTITY_PROVIDER'),
  'provider-unavailable': () => identityError('IDENTITY_PROVIDER_UNAVAILABLE'),
};

/**
 * An ID token the frontend got from an external identity provider (FederatedAccounts says whom it stands for).
 * The lockout does not apply: the token is a signed assertion, not a guess, and the provider guards its own
 * sign-in. Nor does Careid's TOTP, unless the provider is configured with `requireTotp` (as in Keycloak, where
 * the provider's authentication suffices unless a post-login flow asks for more).
 */
@Injectable()
export class FederatedIdTokenStrategy extends LoginMethodStrategy<TokenExchangeAttempt> {
  readonly method = 'federated-id-token';
  readonly refusedWith = 'FEDERATED_LOGIN_REFUSED';

  constructor(
    rules: LoginRules,
    private readonly accounts: FederatedAccounts,
  ) {
    super(rules);
  }

  async find(attempt: TokenExchangeAttempt): Promise<LoginCandidate> {
    const { provider, user, subject, via, refusal, link } = await this.accounts.match(
      attempt.provider,
      attempt.subjectToken,
      attempt.nonce,
    );
    return {
      user,
      lock: null,
      asksTotp: provider?.requireTotp ?? false,
      totp: attempt.totp,
      refusal,
      refusalError: refusal ? REFUSAL_ERRORS[refusal]?.() : undefined,
      details: { provider: attempt.provider, subject, via, ...(attempt.nonce !== undefined ? { flow: 'authorization-code' } : {}) },
      whenAdmitted: link,
    };
  }

  async prove(_attempt: TokenExchangeAttempt, candidate: LoginCandidate): Promise<boolean> {
    return candidate.user !== null;
  }
}
