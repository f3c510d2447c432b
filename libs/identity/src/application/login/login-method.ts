import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy as CustomStrategy } from 'passport-custom';
import type { DomainError } from '@careid/shared';
import type { IdentityErrorName } from '../../domain/identity.errors';
import type { User } from '../../domain/user';
import type { TokenPair } from '../sessions.service';
import type { LoginRules } from './login-rules';

/** The ways to log in; each is a passport strategy registered under this name (see LoginMethods). */
export type LoginMethodName = 'password' | 'login-token' | 'federated-id-token';

/** A login's lockout row, read along with its user: where its failures count, and whether it is locked. */
export interface LoginLock {
  loginKey: string;
  /** Epoch ms until which the login is locked (0: it is not). */
  lockedUntil: number;
  hasFailures: boolean;
}

/** Whom an attempt names, before its credential is checked, and what the rules need to judge it. */
export interface LoginCandidate {
  user: User | null;
  /** The lockout covers password and token logins; null for a method it does not cover (a provider guards its own sign-in). */
  lock: LoginLock | null;
  /** Whether a user with use2fa owes its TOTP code on this path, and the code the attempt carries. */
  asksTotp: boolean;
  totp?: string;
  /** A login token's expiry: the session it opens mints no token that outlives it. */
  credentialExpiresAt?: number | null;
  /** Why the attempt names nobody, for the audit trail (the client gets the method's one answer). */
  refusal?: string;
  /** The answer to a refusal when it is not the method's usual one (an unknown provider, a provider that is down). */
  refusalError?: DomainError;
  /** Recorded with every outcome (never secrets). */
  details?: Record<string, unknown>;
  /** Runs once the rules admit the user, before its session starts (federation links the provider's subject). */
  whenAdmitted?: () => Promise<void>;
}

/** A way to log in, as the login rules drive it. */
export interface LoginMethod<A> {
  readonly method: LoginMethodName;
  /** The answer to a credential that proves nobody. */
  readonly refusedWith: IdentityErrorName;
  /** Whom the attempt names; null when this method does not apply to it (the route's next method tries). */
  find(attempt: A): Promise<LoginCandidate | null>;
  /** Whether the credential proves the candidate's user; runs only once the lock check passed (no bcrypt for a locked login). */
  prove(attempt: A, candidate: LoginCandidate): Promise<boolean>;
}

/**
 * A login method as a passport strategy (passport-custom: it reads the
 * request's validated body). Its verify step is the login rules and nothing
 * else: a method says whom an attempt names and whether its credential
 * proves it, and LoginRules decides (lockout, status, TOTP, audit, session).
 * The strategy answers the session's tokens, or `false` to let the route's
 * next method try.
 */
export abstract class LoginMethodStrategy<A> extends PassportStrategy(CustomStrategy) implements LoginMethod<A> {
  abstract readonly method: LoginMethodName;
  abstract readonly refusedWith: IdentityErrorName;

  protected constructor(private readonly rules: LoginRules) {
    super();
  }

  abstract find(attempt: A): Promise<LoginCandidate | null>;
  abstract prove(attempt: A, candidate: LoginCandidate): Promise<boolean>;

  /** passport's verify callback. */
  async validate(request: { body: A }): Promise<TokenPair | false> {
    return (await this.rules.signIn(this, request.body)) ?? false;
  }

  /**
   * PassportStrategy registers each strategy on passport's process-wide Authenticator unless told otherwise; these
   * register on their app's own (LoginMethods), so that two apps in one process never answer with each other's.
   */
  getPassportInstance(): never {
    return new passport.Authenticator() as never;
  }
}
