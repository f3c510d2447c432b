import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditTrail, cleanEmail, Credentials, User, UsersService } from '@careid/identity';
import { AppConfigService, TransactionHost } from '@careid/shared';
import { Outbox } from './outbox';
import { DEFAULT_SOLUTION_NAME, renderMessage } from './templates';
import { hashPasswordForTicketHolder } from './ticket-password';
import { Tickets, ticketError } from './tickets';

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
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
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
    const passwordHash = await hashPasswordForTicketHolder(this.ticketHolder(), ticket, 'password-reset', password);
    await this.tx.run(async () => {
      const { userId } = await this.tickets.consume(ticket, 'password-reset');
      const user = await this.users.findById(userId);
      if (user?.status !== 'ACTIVE') throw ticketError('revoked');
      await this.credentials.setPasswordWithTicket(userId, passwordHash, 'password-reset');
      await this.audit.record({ type: 'PASSWORD_RESET_COMPLETED', targetType: 'User', targetId: userId, actorId: userId });
    });
  }

  /** Unused reset links die with the credentials an event ends (a reset, an admin's new password, a disabled user). */
  async revokePasswordResetTickets(userId: string): Promise<void> {
    await this.tickets.revokeForUser(userId, 'password-reset');
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
    const rendered = renderMessage('password-reset', 'email', {
      solutionName: DEFAULT_SOLUTION_NAME,
      name: user.name ?? user.login,
      link: `${this.publicUrl}/password-reset#ticket=${ticket}`,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    await this.outbox.enqueue({
      channel: 'email',
      kind: 'password-reset',
      recipient: user.email!,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
  }

  private ticketHolder() {
    return { tickets: this.tickets, users: this.users, credentials: this.credentials };
  }
}
