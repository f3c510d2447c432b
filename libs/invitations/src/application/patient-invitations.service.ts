import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditTrail, Credentials, identifierKey, Principal, User, UsersService } from '@careid/identity';
import { AppConfigService, DomainError, DomainEvents, TransactionHost, translateDatabaseError } from '@careid/shared';
import { assertAllowedRedirect } from '../domain/allowed-redirect';
import { InvitationAccepted } from '../domain/invitation.events';
import { assertCustomMessage, CustomMessage } from '../domain/message-template';
import { isMailboxAddress } from '../domain/message-text';
import { PROFILE_DIRECTORY, ProfileDirectory } from '../domain/profile-directory';
import { InvitationsRepository, StoredInvitation } from '../infrastructure/invitations.repository';
import { InvitationRenewals } from './invitation-renewals';
import { InvitationTargets } from './invitation-targets';
import { Outbox } from './outbox';
import {
  alreadyInvited,
  CheckedInvitation,
  CommonParts,
  DEFAULT_TOKEN_VALIDITY_SECONDS,
  invitationAddresses,
  invitationMessage,
  invitingPractitionerId,
  PatientMessage,
  patientInvitation,
  recipientTaken,
} from './patient-invitation-parts';
import { invitationsError } from '../domain/invitations.errors';

export interface PatientInvitationInput {
  channel?: 'email' | 'sms';
  tokenValiditySeconds?: number;
  loginUrl?: string;
  solutionName?: string;
  practitionerId?: string;
  redirectUrl?: string;
  applicationId?: string;
  /** The caller's own message templates (checked by assertCustomMessage). */
  message?: CustomMessage;
}

/**
 * iCure's createAndInviteUser: an existing patient becomes a REGISTERING user
 * with a short-lived token sent by email or SMS, the inviting practitioner's
 * address as reply-to. The message goes through the outbox, in the same
 * transaction as the user and the invitation. A patient whose REGISTERING
 * user's invitation expired or was revoked is invited again with that user.
 */
@Injectable()
export class PatientInvitationsService {
  private readonly allowedRedirectOrigins: string[];
  private readonly tokenMaxValiditySeconds: number;

  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly renewals: InvitationRenewals,
    private readonly targets: InvitationTargets,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly events: DomainEvents,
    @Inject(ConfigService) config: AppConfigService,
    @Inject(PROFILE_DIRECTORY) private readonly profiles: ProfileDirectory,
  ) {
    this.allowedRedirectOrigins = config.get('app', { infer: true }).allowedRedirectOrigins;
    this.tokenMaxValiditySeconds = config.get('auth', { infer: true }).tokenMaxValiditySeconds;
  }

  async inviteExistingPatient(patientId: string, input: PatientInvitationInput, actor: Principal): Promise<User> {
    assertAllowedRedirect('loginUrl', input.loginUrl, this.allowedRedirectOrigins);
    if (input.message) assertCustomMessage(input.message, input.channel);
    const target = await this.targets.resolve(input);
    const practitionerId = invitingPractitionerId(input, actor);
    const patient = await this.profiles.patientContact(patientId, actor);
    const practitioner = await this.profiles.practitionerContact(practitionerId);
    if (!practitioner) throw invitationsError('PRACTITIONER_NOT_FOUND');
    if (!input.channel && !patient.emails.length && !patient.mobiles.length) {
      throw invitationsError('PATIENT_HAS_NO_CONTACT');
    }
    const channel = input.channel ?? (patient.emails.length ? 'email' : 'sms');
    const validity = input.tokenValiditySeconds ?? DEFAULT_TOKEN_VALIDITY_SECONDS;
    if (validity > this.tokenMaxValiditySeconds) {
      throw invitationsError('INVALID_TOKEN_VALIDITY', `tokenValiditySeconds must not exceed ${this.tokenMaxValiditySeconds}`);
    }
    const { replyTo, recipient } = invitationAddresses(channel, practitioner, patient);
    const registering = await this.registeringUserOf(patientId);
    await this.assertRecipientFree(channel, recipient, registering?.id);
    const checked: CheckedInvitation = {
      patientId,
      practitionerId,
      target,
      channel,
      recipient,
      replyTo,
      validity,
      patientName: patient.name,
      practitionerName: practitioner.name,
      loginUrl: input.loginUrl ?? null,
      solutionName: input.solutionName ?? null,
      message: input.message ?? null,
    };
    try {
      return await this.tx.run(async () => {
        if (channel === 'email') await this.renewals.freeEmail(identifierKey(recipient));
        const user = registering ? await this.renewFor(registering) : await this.createUser(checked);
        await this.recordInvitation(user, checked, actor, !!registering);
        return user;
      });
    } catch (error) {
      // A unique index reached in the transaction: a concurrent invitation or user won the race.
      const code = (error instanceof DomainError ? error : translateDatabaseError(error))?.code;
      if (code === 'DUPLICATE_EMAIL' || code === 'DUPLICATE_LOGIN') throw recipientTaken(channel, recipient);
      if (code === 'INVITATION_PENDING') throw alreadyInvited();
      throw error;
    }
  }

  /**
   * Resends a pending or expired invitation (the caller holds its lock): its message again with a new token, the
   * older tokens ended, the invitation pending until the new token expires.
   */
  async resend(invitation: StoredInvitation, user: User): Promise<void> {
    const practitioner = invitation.practitionerId ? await this.profiles.practitionerContact(invitation.practitionerId) : null;
    if (!practitioner) throw invitationsError('PRACTITIONER_NOT_FOUND', 'The inviting practitioner is not known: invite the patient again');
    const channel = invitation.channel === 'sms' ? 'sms' : 'email';
    const replyTo = channel === 'email' ? practitioner.emails.find(isMailboxAddress) : null;
    if (replyTo === undefined) throw invitationsError('PRACTITIONER_HAS_NO_EMAIL');
    await this.credentials.revokeInvitationCredentials(user.id);
    const sent = await this.sendMessage(user, {
      channel,
      replyTo,
      recipient: (channel === 'email' ? invitation.email : invitation.phone) ?? user.login,
      patientName: invitation.name,
      practitionerName: practitioner.name,
      loginUrl: invitation.loginUrl,
      solutionName: invitation.solutionName,
      validity: invitation.validitySeconds ?? DEFAULT_TOKEN_VALIDITY_SECONDS,
      message: invitation.messageTemplate,
    });
    await this.invitations.reopen(invitation.id, sent.expiresAt, sent.messageId);
  }

  /**
   * What inviting needs whatever the patient (a bulk job checks it once, before it starts): an allowed loginUrl, a
   * valid custom message, a known application, a token validity within bounds, and an inviting practitioner that exists;
   * returns what every patient's invitation then shares (a bulk job's batch uses it).
   */
  async commonParts(input: PatientInvitationInput, actor: Principal): Promise<CommonParts> {
    assertAllowedRedirect('loginUrl', input.loginUrl, this.allowedRedirectOrigins);
    if (input.message) assertCustomMessage(input.message, input.channel);
    const target = await this.targets.resolve(input);
    const validity = input.tokenValiditySeconds ?? DEFAULT_TOKEN_VALIDITY_SECONDS;
    if (validity > this.tokenMaxValiditySeconds) {
      throw invitationsError('INVALID_TOKEN_VALIDITY', `tokenValiditySeconds must not exceed ${this.tokenMaxValiditySeconds}`);
    }
    const practitionerId = invitingPractitionerId(input, actor);
    const practitioner = await this.profiles.practitionerContact(practitionerId);
    if (!practitioner) throw invitationsError('PRACTITIONER_NOT_FOUND');
    return { practitionerId, practitioner, target, validity };
  }

  /**
   * The invited patient activated its account: its pending invitation is
   * accepted, audited and announced as the profile invitation's accept is.
   * A later activation finds no pending invitation and announces nothing.
   */
  async markPatientInvitationAccepted(userId: string): Promise<void> {
    const accepted = await this.invitations.acceptPendingPatientInvitationsOf(userId, Date.now());
    if (!accepted.length) return;
    const user = await this.users.findById(userId);
    for (const { id } of accepted) {
      await this.audit.record({
        type: 'INVITATION_ACCEPTED',
        targetType: 'Invitation',
        targetId: id,
        actorId: userId,
        actorLogin: user?.login ?? null,
      });
      await this.events.publish(new InvitationAccepted(id, userId));
    }
  }

  /** The patient's user: none yet, or a REGISTERING one whose invitation may be renewed; any other → 400. */
  private async registeringUserOf(patientId: string): Promise<User | null> {
    const user = await this.users.findByPatientId(patientId);
    if (user && user.status !== 'REGISTERING') throw invitationsError('PATIENT_ALREADY_HAS_USER');
    return user;
  }

  /** No user but the patient's own may use the address. */
  private async assertRecipientFree(channel: 'email' | 'sms', recipient: string, ownUserId: string | undefined): Promise<void> {
    const holders = [channel === 'email' ? await this.users.findByEmail(recipient) : null, await this.users.findByLogin(recipient)];
    if (holders.some((holder) => holder && holder.id !== ownUserId)) throw recipientTaken(channel, recipient);
  }

  /** A renewal: the REGISTERING user's last patient invitation expired or was revoked; its unused credentials end. */
  private async renewFor(user: User): Promise<User> {
    const latest = await this.renewals.latestOf(user.id);
    if (latest?.status === 'PENDING') throw alreadyInvited();
    if (!latest || latest.kind !== 'patient' || latest.status === 'ACCEPTED') throw invitationsError('PATIENT_ALREADY_HAS_USER');
    await this.credentials.revokeInvitationCredentials(user.id);
    return user;
  }

  private async createUser(checked: CheckedInvitation): Promise<User> {
    const { patientId, channel, recipient } = checked;
    // The patient was just read through the profile directory: identity need not look it up again.
    return this.users.create(
      { login: recipient, email: channel === 'email' ? recipient : null, name: recipient, patientId, status: 'REGISTERING' },
      { dataOwnersVerified: true },
    );
  }

  /** The token, the message and the invitation, in the caller's transaction. */
  private async recordInvitation(user: User, checked: CheckedInvitation, actor: Principal, renewed: boolean): Promise<void> {
    const sent = await this.sendMessage(user, checked);
    const invitation = patientInvitation(user, checked, actor, sent, renewed);
    await this.invitations.insertPatientInvitation(invitation.row);
    await this.audit.record(invitation.audit);
  }

  /** A new invitation token and the message that carries it, queued in the caller's transaction. */
  private async sendMessage(user: User, message: PatientMessage): Promise<{ messageId: string; expiresAt: number }> {
    const token = await this.credentials.issueInvitationToken(user.id, message.validity);
    const messageId = await this.outbox.enqueue(invitationMessage(user, message, token));
    return { messageId, expiresAt: token.expiresAt };
  }
}
