import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditTrail, cleanEmail, Credentials, identifierKey, Principal, User, UsersService } from '@careid/identity';
import { AppConfigService, cleanMobile, DomainError, DomainEvents, TransactionHost } from '@careid/shared';
import { assertAllowedRedirect } from '../domain/allowed-redirect';
import { InvitationAccepted } from '../domain/invitation.events';
import { assertCustomMessage, CustomMessage } from '../domain/message-template';
import { isMailboxAddress } from '../domain/message-text';
import { Contact, PROFILE_DIRECTORY, ProfileDirectory } from '../domain/profile-directory';
import { InvitationsRepository } from '../infrastructure/invitations.repository';
import { Outbox } from './outbox';
import { DEFAULT_SOLUTION_NAME, renderPatientInvitation } from './templates';
import { invitationsError } from '../domain/invitations.errors';

export interface PatientInvitationInput {
  channel?: 'email' | 'sms';
  tokenValiditySeconds?: number;
  loginUrl?: string;
  solutionName?: string;
  practitionerId?: string;
  /** The caller's own message templates (checked by assertCustomMessage). */
  message?: CustomMessage;
}

/** Everything the invitation's transaction needs, checked before it opens. */
interface CheckedInvitation {
  patientId: string;
  patient: Contact;
  practitioner: Contact;
  channel: 'email' | 'sms';
  recipient: string;
  replyTo: string | null;
  validity: number;
}

/**
 * iCure's createAndInviteUser: an existing patient becomes a REGISTERING user
 * with a short-lived token sent by email or SMS, the inviting practitioner's
 * address as reply-to. The message goes through the outbox, in the same
 * transaction as the user and the invitation.
 */
@Injectable()
export class PatientInvitationsService {
  private readonly allowedRedirectOrigins: string[];
  private readonly tokenMaxValiditySeconds: number;

  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
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
    const practitionerId = invitingPractitionerId(input, actor);
    const patient = await this.profiles.patientContact(patientId, actor);
    const practitioner = await this.profiles.practitionerContact(practitionerId);
    if (!practitioner) throw invitationsError('PRACTITIONER_NOT_FOUND');
    if (!input.channel && !patient.emails.length && !patient.mobiles.length) {
      throw invitationsError('PATIENT_HAS_NO_CONTACT');
    }
    const channel = input.channel ?? (patient.emails.length ? 'email' : 'sms');
    const validity = input.tokenValiditySeconds ?? 3600;
    if (validity > this.tokenMaxValiditySeconds) {
      throw invitationsError('INVALID_TOKEN_VALIDITY', `tokenValiditySeconds must not exceed ${this.tokenMaxValiditySeconds}`);
    }
    const { replyTo, recipient } = invitationAddresses(channel, practitioner, patient);
    await this.assertNoUserYet(patientId, channel, recipient);
    try {
      return await this.tx.run(() =>
        this.createAndSend({ patientId, patient, practitioner, channel, recipient, replyTo, validity }, input, actor),
      );
    } catch (error) {
      if (error instanceof DomainError && ['DUPLICATE_EMAIL', 'DUPLICATE_LOGIN'].includes(error.code))
        throw recipientTaken(channel, recipient);
      throw error;
    }
  }

  /**
   * What inviting needs whatever the patient (a bulk job checks it once, before it starts): an allowed loginUrl, a
   * valid custom message, a token validity within bounds, and an inviting practitioner that exists.
   */
  async assertMayInvite(input: PatientInvitationInput, actor: Principal): Promise<void> {
    assertAllowedRedirect('loginUrl', input.loginUrl, this.allowedRedirectOrigins);
    if (input.message) assertCustomMessage(input.message, input.channel);
    if ((input.tokenValiditySeconds ?? 3600) > this.tokenMaxValiditySeconds) {
      throw invitationsError('INVALID_TOKEN_VALIDITY', `tokenValiditySeconds must not exceed ${this.tokenMaxValiditySeconds}`);
    }
    if (!(await this.profiles.practitionerContact(invitingPractitionerId(input, actor)))) throw invitationsError('PRACTITIONER_NOT_FOUND');
  }

  /**
   * The invited patient activated its account: its pending invitation is
   * accepted, audited and announced as the profile invitation's accept is.
   * A later activation finds no pending invitation and announces nothing.
   */
  async markPatientInvitationAccepted(userId: string): Promise<void> {
    const ids = await this.invitations.acceptPendingPatientInvitationsOf(userId, Date.now());
    if (!ids.length) return;
    const user = await this.users.findById(userId);
    for (const id of ids) {
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

  private async assertNoUserYet(patientId: string, channel: 'email' | 'sms', recipient: string): Promise<void> {
    if (await this.users.findByPatientId(patientId)) throw invitationsError('PATIENT_ALREADY_HAS_USER');
    const taken = channel === 'email' ? await this.users.findByEmail(recipient) : await this.users.findByLogin(recipient);
    if (taken || (channel === 'email' && (await this.users.findByLogin(recipient)))) throw recipientTaken(channel, recipient);
  }

  /** The user, its token, the message and the invitation, in the caller's transaction. */
  private async createAndSend(checked: CheckedInvitation, input: PatientInvitationInput, actor: Principal): Promise<User> {
    const { patientId, patient, channel, recipient } = checked;
    // The patient was just read through the profile directory: identity need not look it up again.
    const user = await this.users.create(
      { login: recipient, email: channel === 'email' ? recipient : null, name: recipient, patientId, status: 'REGISTERING' },
      { dataOwnersVerified: true },
    );
    const token = await this.credentials.issueInvitationToken(user.id, checked.validity);
    const rendered = renderPatientInvitation(
      channel,
      {
        solutionName: input.solutionName ?? DEFAULT_SOLUTION_NAME,
        patientName: patient.name,
        practitionerName: checked.practitioner.name,
        login: user.login,
        token: token.token,
        loginUrl: input.loginUrl,
        expiresAt: new Date(token.expiresAt).toISOString(),
      },
      input.message,
    );
    const messageId = await this.outbox.enqueue({
      channel,
      kind: 'patient-invitation',
      recipient,
      replyTo: checked.replyTo,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
    const id = randomUUID();
    await this.invitations.insertPatientInvitation({
      id,
      userId: user.id,
      email: user.email,
      emailKey: user.email ? identifierKey(user.email) : null,
      phone: channel === 'sms' ? recipient : null,
      channel,
      name: patient.name,
      patientId,
      expiresAt: token.expiresAt,
      created: Date.now(),
      createdBy: actor.userId,
      messageId,
    });
    await this.audit.record({
      type: 'USER_INVITED',
      targetType: 'Invitation',
      targetId: id,
      details: { userId: user.id, profile: `Patient/${patientId}`, channel },
    });
    return user;
  }
}

/** The practitioner an invitation speaks for: the actor itself, or the one an admin names. */
function invitingPractitionerId(input: PatientInvitationInput, actor: Principal): string {
  const practitionerId = actor.healthcarePartyId ?? (actor.isAdmin ? input.practitionerId : undefined);
  if (!practitionerId) {
    if (actor.isAdmin) throw invitationsError('PRACTITIONER_REQUIRED');
    throw invitationsError('PRACTITIONERS_ONLY');
  }
  // Only an admin speaks for another practitioner: anyone else naming one is refused, not silently overruled.
  if (!actor.isAdmin && input.practitionerId !== undefined && input.practitionerId.toLowerCase() !== practitionerId.toLowerCase()) {
    throw invitationsError('FORBIDDEN_CHANGE');
  }
  return practitionerId;
}

function invitationAddresses(
  channel: 'email' | 'sms',
  practitioner: Contact,
  patient: Contact,
): { replyTo: string | null; recipient: string } {
  if (channel === 'email') {
    // The reply-to is a header: only a single plain address may go there, never a value that would add or replace one.
    const replyTo = practitioner.emails.find(isMailboxAddress);
    if (!replyTo) throw invitationsError('PRACTITIONER_HAS_NO_EMAIL');
    if (!patient.emails.length) throw invitationsError('PATIENT_HAS_NO_EMAIL');
    const recipient = cleanEmail(patient.emails[0]);
    if (!isMailboxAddress(recipient)) throw invitationsError('INVALID_EMAIL');
    return { replyTo, recipient };
  }
  if (!practitioner.mobiles.length) throw invitationsError('PRACTITIONER_HAS_NO_MOBILE');
  if (!patient.mobiles.length) throw invitationsError('PATIENT_HAS_NO_MOBILE');
  return { replyTo: null, recipient: cleanMobile(patient.mobiles[0], 'patient mobile') };
}

function recipientTaken(channel: 'email' | 'sms', recipient: string): DomainError {
  return invitationsError(channel === 'email' ? 'EMAIL_ALREADY_USED' : 'MOBILE_ALREADY_USED', `Another user already uses ${recipient}`);
}
