import { Injectable } from '@nestjs/common';
import { authenticator } from 'otplib';
import { DomainError } from '@careid/shared';
import { identifierKey } from '../domain/normalize';
import { User } from '../domain/user';
import { UsersRepository } from '../infrastructure/users.repository';
import { AuditTrail } from './audit-trail';
import { LockoutService } from './lockout.service';
import { PasswordHasher } from './password-hasher';
import { PrincipalCache } from './principal-cache';

const STEP_SECONDS = 30;
authenticator.options = { step: STEP_SECONDS, window: 1, digits: 6 };

/** TOTP (RFC 6238) enrolment and checks. A code works once: its time step is remembered. */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutService,
    private readonly principals: PrincipalCache,
    private readonly audit: AuditTrail,
  ) {}

  async setup(userId: string, currentPassword: string): Promise<{ secret: string; otpauthUrl: string }> {
    const user = await this.requireUser(userId);
    await this.assertPassword(user, currentPassword);
    if (user.use2fa) throw DomainError.conflict('TOTP_ALREADY_ENABLED', 'Two-factor login is already on; disable it first');
    const secret = authenticator.generateSecret(20);
    await this.users.update(userId, { pendingSecret: secret });
    await this.audit.record({ type: 'TOTP_SETUP_STARTED', targetType: 'User', targetId: userId });
    return { secret, otpauthUrl: authenticator.keyuri(user.login, 'Careid', secret) };
  }

  async enable(userId: string, code: string): Promise<void> {
    const user = await this.requireUser(userId);
    if (!user.pendingSecret) throw DomainError.conflict('TOTP_SETUP_REQUIRED', 'Start with /users/current/2fa/setup');
    const step = await this.checkCode(user, user.pendingSecret, code);
    await this.users.update(userId, { secret: user.pendingSecret, pendingSecret: null, use2fa: true, totpLastStep: step });
    await this.principals.userChanged(userId);
    await this.audit.record({ type: 'TOTP_ENABLED', targetType: 'User', targetId: userId });
  }

  async disable(userId: string, code: string, currentPassword: string): Promise<void> {
    const user = await this.requireUser(userId);
    await this.assertPassword(user, currentPassword);
    if (!user.use2fa || !user.secret) throw DomainError.conflict('TOTP_NOT_ENABLED', 'Two-factor login is not on');
    await this.checkCode(user, user.secret, code);
    await this.users.update(userId, { secret: null, pendingSecret: null, use2fa: false, totpLastStep: null });
    await this.principals.userChanged(userId);
    await this.audit.record({ type: 'TOTP_DISABLED', targetType: 'User', targetId: userId });
  }

  /** For login: whether the code is valid and unused; marks it used. */
  async verifyLoginCode(user: User, code: string): Promise<boolean> {
    const step = this.stepOf(user.secret!, code);
    if (step === null || (user.totpLastStep !== null && step <= user.totpLastStep)) return false;
    await this.users.update(user.id, { totpLastStep: step });
    return true;
  }

  private async checkCode(user: User, secret: string, code: string): Promise<number> {
    const loginKey = identifierKey(user.login);
    await this.lockout.assertNotLocked(loginKey);
    const step = this.stepOf(secret, code);
    if (step === null || (user.totpLastStep !== null && step <= user.totpLastStep)) {
      await this.lockout.recordFailure(loginKey);
      throw DomainError.invalid('TOTP_INVALID', 'The TOTP code is not valid');
    }
    return step;
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
      throw DomainError.forbidden('CURRENT_PASSWORD_INVALID', 'The current password is not correct');
    }
  }

  private async requireUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw DomainError.notFound('USER_NOT_FOUND', 'No such user');
    return user;
  }
}
