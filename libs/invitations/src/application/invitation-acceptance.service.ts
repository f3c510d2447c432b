import { Injectable } from '@nestjs/common';
import { AuditTrail, Credentials, ticketError, TokenPair, UsersService } from '@careid/identity';
import { DomainEvents, TransactionHost } from '@careid/shared';
import { InvitationAccepted } from '../domain/invitation.events';
import { InvitationsRepository } from '../infrastructure/invitations.repository';

/** What the set-password page learns about a ticket before the password is chosen. */
export interface TicketInspection {
  usable: boolean;
  kind: string | null;
  reason?: string;
  message: string;
  login?: string;
  name?: string;
  expiresAt?: number;
}

/** The accept page and its API: inspect an invitation ticket, then set the password with it. */
@Injectable()
export class InvitationAcceptance {
  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly audit: AuditTrail,
    private readonly events: DomainEvents,
  ) {}

  async inspectTicket(ticket: string): Promise<TicketInspection> {
    const state = await this.credentials.inspectTicket(ticket);
    if (!state) return { usable: false, kind: null, reason: 'unknown', message: ticketError(null).message };
    if (state.state !== 'usable')
      return { usable: false, kind: state.kind, reason: state.state, message: ticketError(state.state).message };
    const user = await this.users.findById(state.userId);
    if (!user) return { usable: false, kind: state.kind, reason: 'revoked', message: ticketError('revoked').message };
    return {
      usable: true,
      kind: state.kind,
      message: 'Choose a password',
      login: user.login,
      name: user.name ?? user.login,
      expiresAt: state.expiresAt,
    };
  }

  /** Sets the password with an invitation ticket (used once), activates the user and opens a session. */
  async accept(ticket: string, password: string): Promise<TokenPair> {
    const passwordHash = await this.credentials.hashPasswordForTicket(ticket, 'invitation', password);
    return this.tx.run(async () => {
      const { userId, invitationId } = await this.credentials.consumeInvitationTicket(ticket);
      const user = await this.credentials.setPasswordWithTicket(userId, passwordHash, 'invitation');
      if (invitationId) await this.invitations.markAccepted(invitationId, Date.now());
      await this.audit.record({
        type: 'INVITATION_ACCEPTED',
        targetType: 'Invitation',
        targetId: invitationId,
        actorId: userId,
        actorLogin: user.login,
      });
      await this.events.publish(new InvitationAccepted(invitationId ?? '', userId));
      return this.credentials.openSession(user);
    });
  }
}
