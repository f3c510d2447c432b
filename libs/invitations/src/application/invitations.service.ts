import { Injectable } from '@nestjs/common';
import { AuditTrail, Credentials, identifierKey, Principal, User, UsersService } from '@careid/identity';
import { toPage, TransactionHost } from '@careid/shared';
import { invitationsError } from '../domain/invitations.errors';
import { Invitation, InvitationsRepository, StoredInvitation } from '../infrastructure/invitations.repository';
import { InvitationRenewals } from './invitation-renewals';
import { PatientInvitationsService } from './patient-invitations.service';
import { ProfileInvitationsService } from './profile-invitations.service';

/**
 * Invitations of both kinds, listed, read, resent and revoked: all of them by admins, and by a practitioner the
 * patient invitations it sent (another's is 404, as if it did not exist).
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly renewals: InvitationRenewals,
    private readonly patientInvitations: PatientInvitationsService,
    private readonly profileInvitations: ProfileInvitationsService,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly audit: AuditTrail,
  ) {}

  async list(
    filter: { status?: string; kind?: string; email?: string; limit: number; cursor?: string },
    actor: Principal,
  ): Promise<{ rows: Invitation[]; nextCursor: string | null; total: number }> {
    const { rows: invitations, total } = await this.invitations.page({
      status: filter.status,
      kind: filter.kind,
      emailKey: filter.email ? identifierKey(filter.email) : undefined,
      practitionerId: practitionerScope(actor),
      limit: filter.limit,
      cursor: filter.cursor,
    });
    return { ...toPage(invitations, filter.limit, (last) => [last.created, last.id]), total };
  }

  async get(id: string, actor?: Principal): Promise<Invitation> {
    const practitionerId = actor && practitionerScope(actor); // 403 first: a caller who may see none learns nothing
    const invitation = await this.invitations.findById(id);
    if (!invitation) throw invitationsError('INVITATION_NOT_FOUND');
    if (practitionerId && !mayManage(practitionerId, (await this.invitations.findDetails(id))!))
      throw invitationsError('INVITATION_NOT_FOUND');
    return invitation;
  }

  /**
   * A pending or expired invitation is sent again: a new ticket (profile) or token (patient) in a new message, the
   * older ones ended, pending again for its lifetime. Only the user's latest invitation, while the user is REGISTERING.
   */
  async resend(id: string, actor: Principal): Promise<Invitation> {
    await this.get(id, actor);
    return this.tx.run(async () => {
      const { invitation, user } = await this.lockResendable(id);
      let invitationUrl: string | undefined;
      if (invitation.kind === 'profile') invitationUrl = await this.profileInvitations.resend(invitation, user);
      else await this.patientInvitations.resend(invitation, user);
      await this.audit.record({ type: 'INVITATION_RESENT', targetType: 'Invitation', targetId: id });
      const resent = await this.get(id);
      return invitationUrl ? { ...resent, invitationUrl } : resent;
    });
  }

  /**
   * Withdraws a pending or expired invitation: its ticket or token dies, so its REGISTERING user can be activated by
   * no path until it is invited again (which renews the invitation for the same user).
   */
  async revoke(id: string, actor: Principal): Promise<Invitation> {
    await this.get(id, actor);
    return this.tx.run(async () => {
      const invitation = await this.lockOpen(id);
      const latest = await this.renewals.latestOf(invitation.userId);
      // A later invitation of the same user ended this one's credentials already, and keeps its own.
      if (latest?.id === invitation.id) await this.credentials.revokeInvitationCredentials(invitation.userId);
      else await this.credentials.revokeInvitationTickets(id);
      await this.invitations.markRevoked(id, Date.now());
      await this.audit.record({ type: 'INVITATION_REVOKED', targetType: 'Invitation', targetId: id });
      return this.get(id);
    });
  }

  /** The invitation, locked, if it is PENDING or EXPIRED (404 or 409 otherwise). */
  private async lockOpen(id: string): Promise<StoredInvitation> {
    const invitation = await this.invitations.lockById(id);
    if (!invitation) throw invitationsError('INVITATION_NOT_FOUND');
    if (invitation.status !== 'PENDING' && invitation.status !== 'EXPIRED') {
      throw invitationsError('INVITATION_NOT_PENDING', `The invitation is ${invitation.status.toLowerCase()}`);
    }
    return invitation;
  }

  private async lockResendable(id: string): Promise<{ invitation: StoredInvitation; user: User }> {
    const invitation = await this.lockOpen(id);
    const user = await this.users.findById(invitation.userId);
    if (!user) throw invitationsError('INVITATION_NOT_PENDING', 'The invited user no longer exists');
    if (user.status !== 'REGISTERING') throw invitationsError('INVITATION_NOT_PENDING', 'The invited user is no longer registering');
    const latest = await this.renewals.latestOf(user.id);
    if (latest?.id !== invitation.id) throw invitationsError('INVITATION_NOT_PENDING', 'A newer invitation of this user replaced this one');
    return { invitation: latest, user };
  }
}

/** The practitioner whose patient invitations the actor may manage; undefined for an admin (all of them). */
function practitionerScope(actor: Principal): string | undefined {
  if (actor.isAdmin) return undefined;
  if (!actor.healthcarePartyId) throw invitationsError('ADMINS_AND_PRACTITIONERS_ONLY');
  return actor.healthcarePartyId;
}

function mayManage(practitionerId: string, invitation: Pick<StoredInvitation, 'kind' | 'practitionerId'>): boolean {
  return invitation.kind === 'patient' && invitation.practitionerId === practitionerId;
}
