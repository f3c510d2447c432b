import { Injectable } from '@nestjs/common';
import { DomainError, Metrics } from '@careid/shared';
import { identityError } from '../../domain/identity.errors';
import type { User } from '../../domain/user';
import { AuditTrail } from '../audit-trail';
import { LockoutService } from '../lockout.service';
import { SessionsService, TokenPair } from '../sessions.service';
import { TwoFactorService } from '../two-factor.service';
import type { LoginCandidate, LoginMethod } from './login-method';

/**
 * The rules every login obeys, whatever its method, in one place: a
 * locked login is refused before its credential is checked (429); a
 * credential that proves nobody counts towards the login's lockout and gets
 * the method's one answer (401, the same for an unknown login); only ACTIVE
 * users get in; a user with use2fa sends a valid, unused TOTP code where the
 * method asks for one; every outcome goes to the audit trail; and the
 * session starts here, its LOGIN_SUCCEEDED written in the same statement.
 * Login methods are passport strategies whose verify step is `signIn`
 * (LoginMethodStrategy): a new method cannot skip these rules.
 */
@Injectable()
export class LoginRules {
  constructor(
    private readonly lockout: LockoutService,
    private readonly twoFactor: TwoFactorService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditTrail,
    private readonly metrics: Metrics,
  ) {}

  /** The session an attempt opens through `method`; null when the method does not apply to the attempt. */
  async signIn<A>(method: LoginMethod<A>, attempt: A): Promise<TokenPair | null> {
    try {
      const candidate = await method.find(attempt);
      if (!candidate) return null;
      const session = await this.judge(method, attempt, candidate);
      this.metrics.recordLogin(method.method, 'success');
      return session;
    } catch (error) {
      // The outcome is the refusal's code (a bounded catalogue), never a message.
      this.metrics.recordLogin(method.method, error instanceof DomainError ? error.code.toLowerCase() : 'error');
      throw error;
    }
  }

  private async judge<A>(method: LoginMethod<A>, attempt: A, candidate: LoginCandidate): Promise<TokenPair> {
    if (candidate.lock) this.lockout.assertUnlocked(candidate.lock.lockedUntil);
    const proven = await method.prove(attempt, candidate);
    const user = candidate.user;
    if (!user || !proven) return this.refuse(method, candidate, user, 'credentials');
    if (user.status !== 'ACTIVE') {
      // The right credential of a disabled or registering user: refused, without counting as a guess.
      await this.audit.record({
        type: 'LOGIN_FAILED',
        outcome: 'denied',
        targetType: 'User',
        targetId: user.id,
        actorId: user.id,
        details: { ...candidate.details, method: method.method, reason: user.status },
      });
      throw identityError('ACCOUNT_NOT_ACTIVE');
    }
    if (user.use2fa && candidate.asksTotp) {
      if (!candidate.totp) throw identityError('TOTP_REQUIRED');
      if (!(await this.twoFactor.verifyLoginCode(user, candidate.totp))) return this.refuse(method, candidate, user, 'totp');
    }
    return this.admit(method, candidate, user);
  }

  /**
   * A success clears the login's failures, when it had any at the lock check (most logins have none: no statement).
   * A failure recorded while this login was being checked stays counted until the next success: the lock can only
   * come sooner, never later.
   */
  private async admit<A>(method: LoginMethod<A>, candidate: LoginCandidate, user: User): Promise<TokenPair> {
    await candidate.whenAdmitted?.();
    if (candidate.lock?.hasFailures) await this.lockout.recordSuccess(candidate.lock.loginKey);
    const audit = {
      type: 'LOGIN_SUCCEEDED',
      targetType: 'User',
      targetId: user.id,
      actorId: user.id,
      actorLogin: user.login,
      details: { ...candidate.details, method: method.method },
    };
    return this.sessions.start(user, audit, candidate.credentialExpiresAt ?? null);
  }

  private async refuse<A>(
    method: LoginMethod<A>,
    candidate: LoginCandidate,
    user: User | null,
    reason: 'credentials' | 'totp',
  ): Promise<never> {
    const locked = candidate.lock ? (await this.lockout.recordFailure(candidate.lock.loginKey)).lockedForMs > 0 : undefined;
    await this.audit.record({
      type: 'LOGIN_FAILED',
      outcome: 'failure',
      targetType: 'User',
      targetId: user?.id ?? null,
      actorId: user?.id ?? null,
      details: { ...candidate.details, method: method.method, reason: candidate.refusal ?? reason, locked },
    });
    if (reason === 'totp') throw identityError('LOGIN_TOTP_INVALID');
    throw candidate.refusalError ?? identityError(method.refusedWith);
  }
}
