import { Injectable } from '@nestjs/common';
import { authenticator } from 'otplib';
import { TransactionHost } from '@careid/shared';
import { identifierKey } from '../domain/normalize';
import { User } from '../domain/user';
import { CredentialsRepository } from '../infrastructure/credentials.repository';
import { UsersRepository } from '../infrastructure/users.repository';
import { AuditTrail } from './audit-trail';
import { CredentialLifecycle } from './credential-lifecycle.service';
import { LockoutService } from './lockout.service';
import { PasswordHasher } from './password-hasher';
import { identityError } from '../domain/identity.errors';

const STEP_SECONDS = 30;
authenticator.options = { step: STEP_SECONDS, window: 1, digits: 6 };

/**
 * TOTP (RFC 6238) enrolment and checks. A code works once per user, also when
 * it arrives in parallel requests: its time step is claimed atomically.
 * Turning 2FA on or off ends the user's other sessions and its login tokens.
 */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutService,
    private readonly credentials: CredentialsRepository,
    private readonly lifecycle: CredentialLifecycle,
    private readonly audit: AuditTrail,
  ) {}

  async setup(userId: string, currentPassword: string): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.requireUser(userId);
    await this.assertPassword(user, currentPassword);
    if (user.use2fa) throw identityError('TOTP_ALREADY_ENABLED');
    const secret = authenticator.generateSecret(20);
    await this.users.update(userId, { pendingSecret: secret });
    await this.audit.record({ type: 'TOTP_SETUP_STARTED', targetType: 'User', targetId: userId });
    return { secret, otpauthUrl: authenticator.keyuri(user.login, 'Careid', secret) };
  }

  /** `sessionId` is the caller's session: it stays open, every other one ends. */
  async enable(userId: string, code: string, sessionId: string): Promise<void> {
    const user = await this.requireUser(userId);
    if (!user.pendingSecret) throw identityError('TOTP_SETUP_REQUIRED');
    await this.checkCode(user, user.pendingSecret, code);
    await this.tx.run(async () => {
      await this.users.update(userId, { secret: user.pendingSecret, pendingSecret: null, use2fa: true });
      await this.lifecycle.raise('two-factor-changed', { userId, sessionId });
      await this.audit.record({ type: 'TOTP_ENABLED', targetType: 'User', targetId: userId });
    });
  }

  async disable(userId: string, code: string, currentPassword: string, sessionId: string): Promise<void> {
    const user = await this.requireUser(userId);
    await this.assertPassword(user, currentPassword);
    if (!user.use2fa || !user.secret) throw identityError('TOTP_NOT_ENABLED');
    await this.checkCode(user, user.secret, code);
    await this.tx.run(async () => {
      await this.users.update(userId, { secret: null, pendingSecret: null, use2fa: false });
      await this.lifecycle.raise('two-factor-changed', { userId, sessionId });
      await this.audit.record({ type: 'TOTP_DISABLED', targetType: 'User', targetId: userId });
    });
  }

  /** For login: whether the code is valid and unused; uses it up. */
  async verifyLoginCode(user: User, code: string): Promise<boolean> {
    const step = this.stepOf(user.secret!, code);
    return step !== null && (await this.credentials.claimTotpStep(user.id, step));
  }

  private async checkCode(user: User, secret: string, code: string): Promise<void> {
    const loginKey = identifierKey(user.login);
    await this.lockout.assertNotLocked(loginKey);
    const step = this.stepOf(secret, code);
    if (step === null || !(await this.credentials.claimTotpStep(user.id, step))) {
      await this.lockout.recordFailure(loginKey);
      throw identityError('TOTP_INVALID');
    }
  }

  private stepOf(secret: string, code: string): number | null {
    const delta = authenticator.checkDelta(code, secret);
    if (delta === null) return null;
    return Math.floor(Date.now() / 1000 / STEP_SECONDS) + delta;
  }

  private async assertPassword(user: User, currentPassword: string): Promise<void> {
    const loginKey = identifierKey(user.login);
    await this.lockout.assertNotLocked(loginKey);
    if (!user.passwordHash || !(await this.hasher.verify(currentPassword, user.passwordHash))) {
      await this.lockout.recordFailure(loginKey);
      throw identityError('CURRENT_PASSWORD_INVALID');
    }
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw identityError('USER_NOT_FOUND');
    return user;
  }
}
