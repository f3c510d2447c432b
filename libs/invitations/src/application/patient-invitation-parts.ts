import { randomUUID } from 'node:crypto';
import { AuditRecord, cleanEmail, CreatedToken, identifierKey, Principal, User } from '@careid/identity';
import { cleanMobile, DomainError } from '@careid/shared';
import { invitationsError } from '../domain/invitations.errors';
import type { CustomMessage } from '../domain/message-template';
import { isMailboxAddress } from '../domain/message-text';
import type { Contact } from '../domain/profile-directory';
import type { NewPatientInvitation } from '../infrastructure/invitations.repository';
import type { OutgoingMessage } from '../infrastructure/outbox.repository';
import type { InvitationTarget } from './invitation-targets';
import { DEFAULT_SOLUTION_NAME, renderPatientInvitation } from './templates';

/** What a single patient invitation and a bulk job's batch share: the checks, the message and the rows they write. */

export const DEFAULT_TOKEN_VALIDITY_SECONDS = 3600;

/** What the message of a patient invitation is made of: the same for a first send, a renewal and a resend. */
export interface PatientMessage {
  channel: 'email' | 'sms';
  recipient: string;
  replyTo: string | null;
  patientName: string;
  practitionerName: string;
  loginUrl: string | null;
  solutionName: string | null;
  validity: number;
  /** The caller's own templates, kept with the invitation so that a resend sends the same message; null: the default. */
  message: CustomMessage | null;
}

/** What every patient's invitation of one request or one bulk batch shares (PatientInvitationsService.commonParts). */
export interface CommonParts {
  practitionerId: string;
  practitioner: Contact;
  target: InvitationTarget;
  validity: number;
}

/** Everything the invitation's transaction needs, checked before it opens. */
export interface CheckedInvitation extends PatientMessage {
  patientId: string;
  practitionerId: string;
  target: InvitationTarget;
}

/** The message carrying `token` to `user`, ready for the outbox. */
export function invitationMessage(user: Pick<User, 'login'>, message: PatientMessage, token: CreatedToken): OutgoingMessage {
  const rendered = renderPatientInvitation(
    message.channel,
    {
      solutionName: message.solutionName ?? DEFAULT_SOLUTION_NAME,
      patientName: message.patientName,
      practitionerName: message.practitionerName,
      login: user.login,
      token: token.token,
      loginUrl: message.loginUrl ?? undefined,
      expiresAt: new Date(token.expiresAt).toISOString(),
    },
    message.message ?? undefined,
  );
  return {
    channel: message.channel,
    kind: 'patient-invitation',
    recipient: message.recipient,
    replyTo: message.replyTo,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
  };
}

/** The invitation row of a message sent to `user`, and the audit record of its sending. */
export function patientInvitation(
  user: Pick<User, 'id' | 'email'>,
  checked: CheckedInvitation,
  actor: Principal,
  sent: { messageId: string; expiresAt: number },
  renewed: boolean,
): { row: NewPatientInvitation; audit: AuditRecord } {
  const { patientId, channel, recipient } = checked;
  const id = randomUUID();
  const row: NewPatientInvitation = {
    id,
    userId: user.id,
    // The address the message went to (a renewal may use another channel than the user's login).
    email: channel === 'email' ? recipient : user.email,
    emailKey: channel === 'email' ? identifierKey(recipient) : user.email && identifierKey(user.email),
    phone: channel === 'sms' ? recipient : null,
    channel,
    name: checked.patientName,
    patientId,
    expiresAt: sent.expiresAt,
    created: Date.now(),
    createdBy: actor.userId,
    messageId: sent.messageId,
    practitionerId: checked.practitionerId,
    loginUrl: checked.loginUrl,
    solutionName: checked.solutionName,
    validitySeconds: checked.validity,
    messageTemplate: checked.message,
    ...checked.target,
  };
  const audit: AuditRecord = {
    type: 'USER_INVITED',
    targetType: 'Invitation',
    targetId: id,
    details: { userId: user.id, profile: `Patient/${patientId}`, channel, renewed },
  };
  return { row, audit };
}

/** The practitioner an invitation speaks for: the actor itself, or the one an admin names. */
export function invitingPractitionerId(input: { practitionerId?: string }, actor: Principal): string {
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

export function invitationAddresses(
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

export function alreadyInvited(): DomainError {
  return invitationsError(
    'PATIENT_ALREADY_HAS_USER',
    'This patient has a pending invitation: resend it (POST /api/v1/invitations/{id}/resend)',
  );
}

export function recipientTaken(channel: 'email' | 'sms', recipient: string): DomainError {
  return invitationsError(channel === 'email' ? 'EMAIL_ALREADY_USED' : 'MOBILE_ALREADY_USED', `Another user already uses ${recipient}`);
}
