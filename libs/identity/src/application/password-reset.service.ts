import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, TransactionHost } from '@careid/shared';
import { cleanEmail } from '../domain/normalize';
import { PASSWORD_RESET_MAILER, PasswordResetMailer } from '../domain/password-reset-mailer';
import type { User } from '../domain/user';
import { AuditTrail } from './audit-trail';
import { Credentials } from './credentials';
import { Tickets, ticketError } from './tickets';
import { UsersService } from './users.service';

/** Password reset by a one-time link sent to an ACTIVE user's email. */
@Injectable()
export class PasswordResetService implements BeforeApplicationShutdown {
  private readonly publicUrl: string;
  private readonly passwordResetSeconds: number;
  private readonly passwordResetMinIntervalSeconds: number;
  private readonly logger = new Logger(PasswordResetService.name);
  private readonly pendingResets = new Set<Promise<void>>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly tickets: Tickets,
    private readonly audit: AuditTrail,
    @Inject(PASSWORD_RESET_MAILER) private readonly mailer: PasswordResetMailer,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.publicUrl = config.get('app', { infer: true }).publicUrl;
    this.passwordResetSeconds = config.get('auth', { infer: true }).passwordResetSeconds;
    this.passwordResetMinIntervalSeconds = config.get('auth', { infer: true }).passwordResetMinIntervalSeconds;
  }

  /**
   * Answers at once, the same for every address: the lookup and the mail come after the answer, so its timing tells
   * nothing. An ACTIVE user gets a one-time reset link (older links stop working), at most one per
   * PASSWORD_RESET_MIN_INTERVAL_SECONDS; anyone else gets nothing.
   */
  requestPasswordReset(email: string): void {
    const work = this.sendPasswordReset(email)
      .catch((error: unknown) => this.logger.error({ err: error }, 'Could not handle a password reset request'))
      .finally(() => this.pendingResets.delete(work));
    this.pendingResets.add(work);
  }

  /** Lets the reset requests already answered finish before the app stops. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pendingResets]);
  }

  /** Sets the password of an ACTIVE user with a reset ticket; ends what a reset ends (CredentialLifecycle). */
  async confirmPasswordReset(ticket: string, password: string): Promise<void> {
    const passwordHash = await this.credentials.hashPasswordForTicket(ticket, 'password-reset', password);
    await this.tx.run(async () => {
      const { userId } = await this.tickets.consume(ticket, 'password-reset');
      const user = await this.users.findById(userId);
      if (user?.status !== 'ACTIVE') throw ticketError('revoked');
      await this.credentials.setPasswordWithTicket(userId, passwordHash, 'password-reset');
      await this.audit.record({ type: 'PASSWORD_RESET_COMPLETED', targetType: 'User', targetId: userId, actorId: userId });
    });
  }

  private async sendPasswordReset(email: string): Promise<void> {
    let user: User | null = null;
    try {
      user = await this.users.findByEmail(cleanEmail(email));
    } catch {
      user = null; // a malformed address gets the same answer as an unknown one
    }
    if (!user || user.status !== 'ACTIVE') {
      await this.audit.record({
        type: 'PASSWORD_RESET_REQUESTED',
        outcome: 'failure',
        targetType: user ? 'User' : undefined,
        targetId: user?.id ?? null,
        details: { knownEmail: !!user, ...(user ? { status: user.status } : {}) },
      });
      return;
    }
    const found = user;
    await this.tx.run(async () => {
      const lastIssued = await this.tickets.lockAndLastIssued(found.id, 'password-reset');
      if (Date.now() - lastIssued < this.passwordResetMinIntervalSeconds * 1000) {
        await this.audit.record({ type: 'PASSWORD_RESET_THROTTLED', outcome: 'denied', targetType: 'User', targetId: found.id });
        return;
      }
      await this.mailResetLink(found);
      await this.audit.record({ type: 'PASSWORD_RESET_REQUESTED', targetType: 'User', targetId: found.id, actorId: null });
    });
  }

  /** Older links stop working: only the newest reset link of a user is usable. */
  private async mailResetLink(user: User): Promise<void> {
    await this.tickets.revokeForUser(user.id, 'password-reset');
    const { ticket, expiresAt } = await this.tickets.issue('password-reset', user.id, this.passwordResetSeconds);
    const link = `${this.publicUrl}/password-reset#ticket=${ticket}`;
    await this.mailer.mailResetLink({ email: user.email!, name: user.name ?? user.login }, link, expiresAt);
  }
}
