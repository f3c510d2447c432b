import { Injectable } from '@nestjs/common';
import { AuditTrail, Credentials, ticketError, TicketState, TokenPair, UsersService } from '@careid/identity';
import { DomainEvents, TransactionHost } from '@careid/shared';
import { InvitationAccepted } from '../domain/invitation.events';
import { InvitationsRepository } from '../infrastructure/invitations.repository';
import { InvitationTargets } from './invitation-targets';

/** What the set-password page learns about a ticket before the password is chosen. */
export interface TicketInspection {
  usable: boolean;
  kind: string | null;
  reason?: string;
  message: string;
  login?: string;
  name?: string;
  expiresAt?: number;
  /** Who sent the invitation (their name), so that the page can say whom to ask for a new one. */
  inviter?: string;
  /** The name of the application the invitation leads to. */
  application?: string;
}

/** A session for the invited user, and where the invitation leads (when it names a place). */
export type AcceptedInvitation = TokenPair & { redirectUrl?: string };

/** The accept page and its API: inspect an invitation ticket, then set the password with it. */
@Injectable()
export class InvitationAcceptance {
  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly targets: InvitationTargets,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly audit: AuditTrail,
    private readonly events: DomainEvents,
  ) {}

  async inspectTicket(ticket: string): Promise<TicketInspection> {
    const state = await this.credentials.inspectTicket(ticket);
    if (!state) return { usable: false, kind: null, reason: 'unknown', message: ticketError(null).message };
    const origin = await this.invitationOrigin(state);
    if (state.state !== 'usable')
      return { usable: false, kind: state.kind, reason: state.state, message: ticketError(state.state).message, ...origin };
    const user = await this.users.findById(state.userId);
    if (!user) return { usable: false, kind: state.kind, reason: 'revoked', message: ticketError('revoked').message, ...origin };
    return {
      usable: true,
      kind: state.kind,
      message: 'Choose a password',
      login: user.login,
      name: user.name ?? user.login,
      expiresAt: state.expiresAt,
      ...origin,
    };
  }

  /** Sets the password with an invitation ticket (used once), activates the user and opens a session. */
  async accept(ticket: string, password: string): Promise<AcceptedInvitation> {
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
      const session = await this.credentials.openSession(user);
      const redirectUrl = invitationId ? (await this.invitations.findById(invitationId))?.redirectUrl : null;
      return redirectUrl ? { ...session, redirectUrl } : session;
    });
  }

  /** Who sent the ticket's invitation and where it leads, by name only: nothing else about them. */
  private async invitationOrigin(state: TicketState): Promise<{ inviter?: string; application?: string }> {
    const invitation = state.invitationId ? await this.invitations.findDetails(state.invitationId) : null;
    if (!invitation) return {};
    const inviter = invitation.createdBy ? (await this.users.findById(invitation.createdBy))?.name : null;
    const application = await this.targets.applicationName(invitation.applicationId);
    return { ...(inviter ? { inviter } : {}), ...(application ? { application } : {}) };
  }
}
