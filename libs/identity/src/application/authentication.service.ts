import { Injectable } from '@nestjs/common';
import { identifierKey } from '../domain/normalize';
import { User } from '../domain/user';
import { UsersRepository } from '../infrastructure/users.repository';
import { AuditTrail } from './audit-trail';
import { LockoutService } from './lockout.service';
import { PasswordHasher } from './password-hasher';
import { hashSecret, SECRET_SHAPE } from './secrets';
import { SessionsService, TokenPair } from './sessions.service';
import { TwoFactorService } from './two-factor.service';
import { identityError } from '../domain/identity.errors';

export interface LoginAttempt {
  login: string;
  password: string;
  totp?: string;
}

const INVALID_CREDENTIALS = () => identityError('INVALID_CREDENTIALS');

/**
 * `POST /auth/login`: the password, or a live authentication token, opens a
 * session for an ACTIVE user (with its TOTP code when it has 2FA, whichever
 * the credential). Every failure counts towards the login's lockout, and a
 * login that matches no user costs the same bcrypt work and gets the same answer.
 */
@Injectable()
export class AuthenticationService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly lockout: LockoutService,
    private readonly twoFactor: TwoFactorService,
    private readonly audit: AuditTrail,
  ) {}

  async login(attempt: LoginAttempt): Promise<TokenPair> {
    const loginKey = identifierKey(attempt.login);
    // One round trip for the lock, the user and the token check (a token is cheap to check: SHA-256 and an index).
    const mayBeToken = SECRET_SHAPE.test(attempt.password);
    const { user, lockedUntil, hasFailures, tokenExpiresAt } = await this.users.findForLogin(
      loginKey,
      mayBeToken ? hashSecret(attempt.password) : null,
    );
    this.lockout.assertUnlocked(lockedUntil);

    // A live token skips bcrypt entirely; either credential then meets the same rules.
    const method = user && tokenExpiresAt !== null ? 'token' : 'password';
    if (method === 'password') {
      const passwordMatches = user?.passwordHash
        ? await this.hasher.verify(attempt.password, user.passwordHash)
        : await this.hasher.verifyAgainstNothing(attempt.password);
      if (!user || !passwordMatches) return this.fail(loginKey, user, 'INVALID_CREDENTIALS');
    }
    const known = user!;
    if (known.status !== 'ACTIVE') {
      // The right secret of a disabled or registering user: refused, without counting as a guess.
      await this.audit.record({
        type: 'LOGIN_FAILED',
        outcome: 'denied',
        targetType: 'User',
        targetId: known.id,
        actorId: known.id,
        details: { reason: known.status, method },
      });
      throw identityError('ACCOUNT_NOT_ACTIVE');
    }
    if (known.use2fa) {
      if (!attempt.totp) throw identityError('TOTP_REQUIRED');
      if (!(await this.twoFactor.verifyLoginCode(known, attempt.totp))) return this.fail(loginKey, known, 'TOTP_INVALID');
    }
    return this.succeed(known, loginKey, method, hasFailures, method === 'token' ? tokenExpiresAt : null);
  }

  /**
   * A success clears the login's failures, when it had any at the lock check (most logins have none: no statement).
   * A failure recorded while this login was being checked stays counted until the next success: the lock can only
   * come sooner, never later.
   */
  private async succeed(
    user: User,
    loginKey: string,
    method: 'password' | 'token',
    hadFailures: boolean,
    tokenExpiresAt: number | null,
  ): Promise<TokenPair> {
    if (hadFailures) await this.lockout.recordSuccess(loginKey);
    const audit = {
      type: 'LOGIN_SUCCEEDED',
      targetType: 'User',
      targetId: user.id,
      actorId: user.id,
      actorLogin: user.login,
      details: { method },
    };
    return this.sessions.start(user, audit, tokenExpiresAt);
  }

  private async fail(loginKey: string, user: User | null, code: 'INVALID_CREDENTIALS' | 'TOTP_INVALID'): Promise<never> {
    const { lockedForMs } = await this.lockout.recordFailure(loginKey);
    await this.audit.record({
      type: 'LOGIN_FAILED',
      outcome: 'failure',
      targetType: 'User',
      targetId: user?.id ?? null,
      actorId: user?.id ?? null,
      details: { reason: code === 'TOTP_INVALID' ? 'totp' : 'credentials', locked: lockedForMs > 0 },
    });
    if (code === 'TOTP_INVALID') throw identityError('LOGIN_TOTP_INVALID');
    throw INVALID_CREDENTIALS();
  }
}
