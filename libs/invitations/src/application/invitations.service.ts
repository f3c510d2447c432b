import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  AuditTrail,
  cleanEmail,
  identifierKey,
  Credentials,
  normalizeAccessPolicy,
  Principal,
  TokenPair,
  User,
  UsersService,
} from '@careid/identity';
import {
  AppConfigService,
  AppSettings,
  cleanMobile,
  DomainError,
  DomainEvents,
  MessagingSettings,
  registerUniqueConstraintCode,
  TransactionHost,
} from '@careid/shared';
import { assertAllowedRedirect } from '../domain/allowed-redirect';
import { InvitationAccepted, InvitationRevoked, UserInvited } from '../domain/invitation.events';
import { isMailboxAddress } from '../domain/message-text';
import { Contact, PROFILE_DIRECTORY, ProfileDirectory, ProfileType } from '../domain/profile-directory';
import { Invitation, InvitationsRepository } from '../infrastructure/invitations.repository';
import { Outbox } from './outbox';
import { renderMessage } from './templates';
import { TicketKind, Tickets, ticketError } from './tickets';

registerUniqueConstraintCode('uq_invitations_pending_email', 'INVITATION_PENDING', 'This email already has a pending invitation');

export const ACCEPT_PAGE_PATH = '/invitations/accept';

export type { Invitation } from '../infrastructure/invitations.repository';

export interface ProfileInvitationInput {
  email: string;
  firstName?: string;
  lastName?: string;
  resource: { resourceType: ProfileType; id?: string };
  roles?: string[];
  accessPolicy?: { rule: { resource: string | string[]; action: string | string[]; effect: string }[] };
  sendEmail?: boolean;
  expiresInSeconds?: number;
}

export interface PatientInvitationInput {
  channel?: 'email' | 'sms';
  tokenValiditySeconds?: number;
  loginUrl?: string;
  solutionName?: string;
  practitionerId?: string;
}

const DEFAULT_SOLUTION_NAME = 'Careid';

/**
 * Invitations: an existing patient becomes a user with a short-lived token
 * sent by email or SMS (iCure's createAndInviteUser), or a person becomes a
 * practitioner or patient user by setting a password through a one-time link
 * (Oystehr's invite). Every message goes through the outbox, in the same
 * transaction as the invitation.
 */
@Injectable()
export class InvitationsService implements BeforeApplicationShutdown {
  private readonly app: AppSettings;
  private readonly messaging: MessagingSettings;
  private readonly tokenMaxValiditySeconds: number;
  private readonly passwordResetSeconds: number;
  private readonly passwordResetMinIntervalSeconds: number;
  private readonly logger = new Logger(InvitationsService.name);
  private readonly pendingResets = new Set<Promise<void>>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly tickets: Tickets,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly events: DomainEvents,
    @Inject(ConfigService) config: AppConfigService,
    @Optional() @Inject(PROFILE_DIRECTORY) private readonly profiles?: ProfileDirectory,
  ) {
    this.app = config.get('app', { infer: true });
    this.messaging = config.get('messaging', { infer: true });
    this.tokenMaxValiditySeconds = config.get('auth', { infer: true }).tokenMaxValiditySeconds;
    this.passwordResetSeconds = config.get('auth', { infer: true }).passwordResetSeconds;
    this.passwordResetMinIntervalSeconds = config.get('auth', { infer: true }).passwordResetMinIntervalSeconds;
  }

  // --- Oystehr's invite ---

  async inviteProfile(input: ProfileInvitationInput, actor: Principal): Promise<Invitation> {
    const directory = this.directory();
    const email = cleanEmail(input.email);
    const emailKey = identifierKey(email);
    const name = [input.firstName, input.lastName].filter(Boolean).join(' ') || email;
    const expiresInSeconds = input.expiresInSeconds ?? this.messaging.invitationExpiresSeconds;
    await this.invitations.expireStale(emailKey, Date.now());
    if (await this.invitations.hasPending(emailKey))
      throw DomainError.conflict('INVITATION_PENDING', 'This email already has a pending invitation; resend it instead');
    if (await this.users.findByEmail(email))
      throw DomainError.conflict('EMAIL_ALREADY_REGISTERED', 'A user with this email already exists');
    if (input.resource.id && !(await directory.profileExists(input.resource.resourceType, input.resource.id))) {
      throw DomainError.invalid('PROFILE_NOT_FOUND', `No ${input.resource.resourceType} with this id`);
    }
    const accessPolicy = input.accessPolicy ? normalizeAccessPolicy(input.accessPolicy) : null;
    try {
      return await this.tx.run(async () => {
        const profileId =
          input.resource.id ??
          (await directory.createProfile(
            input.resource.resourceType,
            { firstName: input.firstName, lastName: input.lastName, email },
            actor,
          ));
        const user = await this.users.create({
          login: email,
          email,
          name,
          status: 'REGISTERING',
          roles: input.roles ?? [],
          accessPolicy,
          ...(input.resource.resourceType === 'Practitioner' ? { healthcarePartyId: profileId } : { patientId: profileId }),
        });
        const id = randomUUID();
        const now = Date.now();
        const expiresAt = now + expiresInSeconds * 1000;
        await this.invitations.insertProfileInvitation({
          id,
          userId: user.id,
          email,
          emailKey,
          channel: input.sendEmail ? 'email' : 'link',
          name,
          firstName: input.firstName ?? null,
          lastName: input.lastName ?? null,
          profileType: input.resource.resourceType,
          profileId,
          roles: user.roles,
          accessPolicy,
          expiresAt,
          created: now,
          createdBy: actor.userId,
        });
        const invitationUrl = await this.issueLink(id, user, expiresInSeconds, !!input.sendEmail);
        await this.audit.record({
          type: 'USER_INVITED',
          targetType: 'Invitation',
          targetId: id,
          details: { userId: user.id, profile: `${input.resource.resourceType}/${profileId}`, sendEmail: !!input.sendEmail },
        });
        await this.events.publish(
          new UserInvited(id, user.id, `${input.resource.resourceType}/${profileId}`, input.sendEmail ? 'email' : 'link'),
        );
        return { ...(await this.get(id)), invitationUrl };
      });
    } catch (error) {
      // Lost a race with a concurrent invite or user creation: the same answers as the pre-checks.
      if (error instanceof DomainError && ['DUPLICATE_EMAIL', 'DUPLICATE_LOGIN'].includes(error.code)) {
        throw DomainError.conflict('EMAIL_ALREADY_REGISTERED', 'A user with this email already exists');
      }
      if (error instanceof DomainError && error.code === 'INVITATION_PENDING') throw DomainError.conflict(error.code, error.message);
      throw error;
    }
  }

  async list(filter: {
    status?: string;
    email?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ rows: Invitation[]; nextCursor: string | null; total: number }> {
    const { rows: invitations, total } = await this.invitations.page({
      status: filter.status,
      emailKey: filter.email ? identifierKey(filter.email) : undefined,
      limit: filter.limit,
      cursor: filter.cursor,
    });
    const hasMore = invitations.length > filter.limit;
    const page = hasMore ? invitations.slice(0, filter.limit) : invitations;
    const last = page[page.length - 1];
    return {
      rows: page,
      nextCursor: hasMore ? Buffer.from(JSON.stringify([last.created, last.id])).toString('base64url') : null,
      total,
    };
  }

  async get(id: string): Promise<Invitation> {
    const invitation = await this.invitations.findById(id);
    if (!invitation) throw DomainError.notFound('INVITATION_NOT_FOUND', 'No such invitation');
    return invitation;
  }

  /** A pending invitation gets a new ticket; the old one stops working. */
  async resend(id: string): Promise<Invitation> {
    return this.tx.run(async () => {
      const invitation = await this.lockPending(id);
      if (invitation.kind !== 'profile')
        throw DomainError.conflict('NOT_RESENDABLE', 'Patient invitations are renewed by inviting the patient again');
      const user = await this.users.findById(invitation.userId);
      if (!user) throw DomainError.conflict('INVITATION_NOT_PENDING', 'The invited user no longer exists');
      await this.tickets.revokeForInvitation(id);
      const expiresInSeconds = this.messaging.invitationExpiresSeconds;
      await this.invitations.extend(id, Date.now() + expiresInSeconds * 1000);
      const invitationUrl = await this.issueLink(id, user, expiresInSeconds, invitation.channel === 'email');
      await this.audit.record({ type: 'INVITATION_RESENT', targetType: 'Invitation', targetId: id });
      return { ...(await this.get(id)), invitationUrl };
    });
  }

  /** Withdraws a pending invitation: its ticket dies and the invited, never-activated user is removed. */
  async revoke(id: string): Promise<Invitation> {
    return this.tx.run(async () => {
      const invitation = await this.lockPending(id);
      await this.tickets.revokeForInvitation(id);
      await this.invitations.markRevoked(id, Date.now());
      const user = await this.users.findById(invitation.userId);
      if (user?.status === 'REGISTERING') await this.users.delete(user.id);
      await this.audit.record({ type: 'INVITATION_REVOKED', targetType: 'Invitation', targetId: id });
      await this.events.publish(new InvitationRevoked(id, invitation.userId));
      return this.get(id);
    });
  }

  // --- the accept page and its API ---

  async inspectTicket(ticket: string): Promise<{
    usable: boolean;
    kind: string | null;
    reason?: string;
    message: string;
    login?: string;
    name?: string;
    expiresAt?: number;
  }> {
    const state = await this.tickets.inspect(ticket);
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
    const passwordHash = await this.hashForTicketHolder(ticket, 'invitation', password);
    return this.tx.run(async () => {
      const { userId, invitationId } = await this.tickets.consume(ticket, 'invitation');
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
      await this.tickets.revokeForUser(found.id, 'password-reset');
      const { ticket, expiresAt } = await this.tickets.issue('password-reset', found.id, this.passwordResetSeconds);
      const rendered = renderMessage('password-reset', 'email', {
        solutionName: DEFAULT_SOLUTION_NAME,
        name: found.name ?? found.login,
        link: `${this.app.publicUrl}/password-reset#ticket=${ticket}`,
        expiresAt: new Date(expiresAt).toISOString(),
      });
      await this.outbox.enqueue({
        channel: 'email',
        kind: 'password-reset',
        recipient: found.email!,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
      await this.audit.record({ type: 'PASSWORD_RESET_REQUESTED', targetType: 'User', targetId: found.id, actorId: null });
    });
  }

  /** Sets the password of an ACTIVE user with a reset ticket; ends what a reset ends (CredentialLifecycle). */
  async confirmPasswordReset(ticket: string, password: string): Promise<void> {
    const passwordHash = await this.hashForTicketHolder(ticket, 'password-reset', password);
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

  // --- iCure's createAndInviteUser ---

  async inviteExistingPatient(patientId: string, input: PatientInvitationInput, actor: Principal): Promise<User> {
    const directory = this.directory();
    assertAllowedRedirect('loginUrl', input.loginUrl, this.app.allowedRedirectOrigins);
    const practitionerId = actor.healthcarePartyId ?? (actor.isAdmin ? input.practitionerId : undefined);
    if (!practitionerId) {
      if (actor.isAdmin)
        throw DomainError.invalid(
          'PRACTITIONER_REQUIRED',
          'An admin inviting a patient names the inviting practitioner (`practitionerId`)',
        );
      throw DomainError.forbidden('PRACTITIONERS_ONLY', 'Only practitioners invite their patients');
    }
    // Only an admin speaks for another practitioner: anyone else naming one is refused, not silently overruled.
    if (!actor.isAdmin && input.practitionerId !== undefined && input.practitionerId.toLowerCase() !== practitionerId.toLowerCase()) {
      throw DomainError.forbidden('FORBIDDEN_CHANGE', 'Only an admin may name the inviting practitioner (practitionerId)');
    }
    const patient = await directory.patientContact(patientId, actor);
    const practitioner = await directory.practitionerContact(practitionerId);
    if (!practitioner) throw DomainError.invalid('PRACTITIONER_NOT_FOUND', 'The inviting practitioner does not exist');
    if (!input.channel && !patient.emails.length && !patient.mobiles.length) {
      throw DomainError.invalid(
        'PATIENT_HAS_NO_CONTACT',
        'The patient has neither an email address nor a mobile number to send the invitation to',
      );
    }
    const channel = input.channel ?? (patient.emails.length ? 'email' : 'sms');
    const validity = input.tokenValiditySeconds ?? 3600;
    if (validity > this.tokenMaxValiditySeconds) {
      throw DomainError.invalid('INVALID_TOKEN_VALIDITY', `tokenValiditySeconds must not exceed ${this.tokenMaxValiditySeconds}`);
    }
    const { replyTo, recipient } = this.checkInvitePreconditions(channel, practitioner, patient);
    if (await this.users.findByPatientId(patientId))
      throw DomainError.invalid('PATIENT_ALREADY_HAS_USER', 'This patient already has a user');
    const taken = channel === 'email' ? await this.users.findByEmail(recipient) : await this.users.findByLogin(recipient);
    if (taken || (channel === 'email' && (await this.users.findByLogin(recipient)))) {
      throw DomainError.invalid(
        channel === 'email' ? 'EMAIL_ALREADY_USED' : 'MOBILE_ALREADY_USED',
        `Another user already uses ${recipient}`,
      );
    }
    try {
      return await this.tx.run(async () => {
        const user = await this.users.create({
          login: recipient,
          email: channel === 'email' ? recipient : null,
          name: recipient,
          patientId,
          status: 'REGISTERING',
        });
        const token = await this.credentials.issueInvitationToken(user.id, validity);
        const solutionName = input.solutionName ?? DEFAULT_SOLUTION_NAME;
        const rendered = renderMessage('patient-invitation', channel, {
          solutionName,
          name: patient.name,
          practitionerName: practitioner.name,
          login: user.login,
          token: token.token,
          loginUrl: input.loginUrl,
          expiresAt: new Date(token.expiresAt).toISOString(),
        });
        const messageId = await this.outbox.enqueue({
          channel,
          kind: 'patient-invitation',
          recipient,
          replyTo,
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
        await this.events.publish(new UserInvited(id, user.id, `Patient/${patientId}`, channel));
        return user;
      });
    } catch (error) {
      if (error instanceof DomainError && ['DUPLICATE_EMAIL', 'DUPLICATE_LOGIN'].includes(error.code)) {
        throw DomainError.invalid(
          channel === 'email' ? 'EMAIL_ALREADY_USED' : 'MOBILE_ALREADY_USED',
          `Another user already uses ${recipient}`,
        );
      }
      throw error;
    }
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

  private checkInvitePreconditions(
    channel: 'email' | 'sms',
    practitioner: Contact,
    patient: Contact,
  ): { replyTo: string | null; recipient: string } {
    if (channel === 'email') {
      // The reply-to is a header: only a single plain address may go there, never a value that would add or replace one.
      const replyTo = practitioner.emails.find(isMailboxAddress);
      if (!replyTo)
        throw DomainError.invalid(
          'PRACTITIONER_HAS_NO_EMAIL',
          'Add a valid email address to your practitioner profile: invitations are sent with it as reply-to',
        );
      if (!patient.emails.length)
        throw DomainError.invalid('PATIENT_HAS_NO_EMAIL', 'The patient has no email address to send the invitation to');
      const recipient = cleanEmail(patient.emails[0]);
      if (!isMailboxAddress(recipient))
        throw DomainError.invalid('INVALID_EMAIL', "The patient's email address is not one an invitation can be sent to");
      return { replyTo, recipient };
    }
    if (!practitioner.mobiles.length)
      throw DomainError.invalid('PRACTITIONER_HAS_NO_MOBILE', 'Add a mobile number to your practitioner profile to invite by SMS');
    if (!patient.mobiles.length)
      throw DomainError.invalid('PATIENT_HAS_NO_MOBILE', 'The patient has no mobile number to send the invitation to');
    return { replyTo: null, recipient: cleanMobile(patient.mobiles[0], 'patient mobile') };
  }

  private async issueLink(invitationId: string, user: User, expiresInSeconds: number, sendEmail: boolean): Promise<string> {
    const { ticket, expiresAt } = await this.tickets.issue('invitation', user.id, expiresInSeconds, invitationId);
    const invitationUrl = `${this.app.publicUrl}${ACCEPT_PAGE_PATH}#ticket=${ticket}`;
    if (sendEmail) {
      const rendered = renderMessage('profile-invitation', 'email', {
        solutionName: DEFAULT_SOLUTION_NAME,
        name: user.name ?? user.login,
        login: user.login,
        link: invitationUrl,
        expiresAt: new Date(expiresAt).toISOString(),
      });
      const messageId = await this.outbox.enqueue({
        channel: 'email',
        kind: 'profile-invitation',
        recipient: user.email!,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
      await this.invitations.attachMessage(invitationId, messageId);
    }
    return invitationUrl;
  }

  private async lockPending(id: string): Promise<Invitation> {
    const invitation = await this.invitations.lockById(id);
    if (!invitation) throw DomainError.notFound('INVITATION_NOT_FOUND', 'No such invitation');
    if (invitation.status !== 'PENDING')
      throw DomainError.conflict('INVITATION_NOT_PENDING', `The invitation is ${invitation.status.toLowerCase()}`);
    return invitation;
  }

  /**
   * Before a ticket's transaction: the holder must not be locked out, and the
   * new password must pass the rules; bcrypt runs here, not while the ticket
   * row is locked. A ticket that cannot be used is refused now with its reason.
   */
  private async hashForTicketHolder(ticket: string, kind: TicketKind, password: string): Promise<string> {
    const state = await this.tickets.inspect(ticket);
    if (!state || state.kind !== kind) throw ticketError(null);
    if (state.state !== 'usable') throw ticketError(state.state);
    // No lockout check: the ticket is the proof (256 random bits), and a locked login must still be able to reset.
    const user = await this.users.findById(state.userId);
    if (!user) throw ticketError('revoked');
    return this.credentials.hashNewPassword(user.id, password);
  }

  private directory(): ProfileDirectory {
    if (!this.profiles) throw new Error('No ProfileDirectory is provided: the composition root must bind PROFILE_DIRECTORY');
    return this.profiles;
  }
}
