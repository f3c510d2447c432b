import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail, Credentials, identifierKey, Principal, UsersService } from '@careid/identity';
import { DomainError } from '@careid/shared';
import { Contact, PROFILE_DIRECTORY, ProfileDirectory } from '../domain/profile-directory';
import { InvitationsRepository } from '../infrastructure/invitations.repository';
import { Outbox } from './outbox';
import { CheckedInvitation, CommonParts, invitationAddresses, invitationMessage, patientInvitation } from './patient-invitation-parts';
import { PatientInvitationInput, PatientInvitationsService } from './patient-invitations.service';

/**
 * A bulk job's batch, the fast way: the patients who need nothing but a new
 * user are invited together, a few statements for the whole batch, with the
 * rows and audit records the single invite (PatientInvitationsService) writes
 * one by one. The others (a user already, an address another user has or a
 * pending invitation holds, two patients of the batch sharing an address, a
 * contact the inviter may not read or without the channel's address) are left
 * to the single invite, which renews or refuses each with its reason.
 */
@Injectable()
export class PatientInvitationBatches {
  constructor(
    private readonly single: PatientInvitationsService,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    @Inject(PROFILE_DIRECTORY) private readonly profiles: ProfileDirectory,
  ) {}

  /**
   * Invites those of `patientIds` who need nothing but a new user, in the caller's transaction; returns their ids. A
   * unique index reached (a concurrent invite) fails them all: the caller then invites the batch one by one.
   */
  async inviteNew(patientIds: string[], input: PatientInvitationInput, actor: Principal): Promise<Set<string>> {
    const parts = await this.batchParts(input, actor);
    const checked = parts ? await this.plainInvitations(patientIds, input, actor, parts) : [];
    if (!parts || !checked.length) return new Set();
    const users = await this.users.createManyWithoutPassword(
      checked.map(({ patientId, channel, recipient }) => ({
        login: recipient,
        email: channel === 'email' ? recipient : null,
        name: recipient,
        patientId,
        status: 'REGISTERING' as const,
      })),
    );
    const tokens = await this.credentials.issueInvitationTokens(
      users.map((user) => user.id),
      parts.validity,
    );
    const messageIds = await this.outbox.enqueueMany(checked.map((invitation, i) => invitationMessage(users[i], invitation, tokens[i])));
    const invitations = checked.map((invitation, i) =>
      patientInvitation(users[i], invitation, actor, { messageId: messageIds[i], expiresAt: tokens[i].expiresAt }, false),
    );
    await this.invitations.insertPatientInvitations(invitations.map((invitation) => invitation.row));
    await this.audit.recordMany(invitations.map((invitation) => invitation.audit));
    return new Set(checked.map((invitation) => invitation.patientId));
  }

  /** What every invitation of the batch shares; null when the single invite would refuse them all (it then says why). */
  private async batchParts(input: PatientInvitationInput, actor: Principal): Promise<CommonParts | null> {
    try {
      return await this.single.commonParts(input, actor);
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  }

  /** The invitations of the patients who need nothing but a new user, in the order of `patientIds`. */
  private async plainInvitations(
    patientIds: string[],
    input: PatientInvitationInput,
    actor: Principal,
    parts: CommonParts,
  ): Promise<CheckedInvitation[]> {
    const withUser = new Set(await this.users.patientsWithUser(patientIds));
    const contacts = await this.profiles.patientContacts(
      patientIds.filter((id) => !withUser.has(id.toLowerCase())),
      actor,
    );
    const candidates = patientIds.flatMap((patientId) => {
      const contact = contacts.get(patientId.toLowerCase());
      const invitation = contact && checkedInvitation(patientId, contact, input, parts);
      return invitation ? [invitation] : [];
    });
    const keys = candidates.map((invitation) => identifierKey(invitation.recipient));
    const taken = await this.users.takenIdentifiers(candidates.map((invitation) => invitation.recipient));
    const pending = new Set(
      await this.invitations.emailKeysWithPendingInvitation(keys.filter((_, i) => candidates[i].channel === 'email')),
    );
    const uses = new Map<string, number>();
    for (const key of keys) uses.set(key, (uses.get(key) ?? 0) + 1);
    return candidates.filter(
      (invitation, i) =>
        uses.get(keys[i]) === 1 && !taken.has(invitation.recipient) && !(invitation.channel === 'email' && pending.has(keys[i])),
    );
  }
}

/** The patient's invitation as the single invite would check it; null when that would refuse it (it then says why). */
function checkedInvitation(
  patientId: string,
  patient: Contact,
  input: PatientInvitationInput,
  parts: CommonParts,
): CheckedInvitation | null {
  if (!input.channel && !patient.emails.length && !patient.mobiles.length) return null;
  const channel = input.channel ?? (patient.emails.length ? 'email' : 'sms');
  let addresses: { replyTo: string | null; recipient: string };
  try {
    addresses = invitationAddresses(channel, parts.practitioner, patient);
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
  return {
    patientId,
    practitionerId: parts.practitionerId,
    target: parts.target,
    channel,
    ...addresses,
    validity: parts.validity,
    patientName: patient.name,
    practitionerName: parts.practitioner.name,
    loginUrl: input.loginUrl ?? null,
    solutionName: input.solutionName ?? null,
    message: input.message ?? null,
  };
}
