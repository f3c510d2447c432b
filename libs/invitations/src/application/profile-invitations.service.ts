import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  AccessPolicy,
  AuditTrail,
  cleanEmail,
  Credentials,
  identifierKey,
  normalizeAccessPolicy,
  Principal,
  User,
  UsersService,
} from '@careid/identity';
import { AppConfigService, DomainError, registerUniqueConstraintCode, toPage, TransactionHost } from '@careid/shared';
import { PROFILE_DIRECTORY, ProfileDirectory, ProfileType } from '../domain/profile-directory';
import { Invitation, InvitationsRepository } from '../infrastructure/invitations.repository';
import { Outbox } from './outbox';
import { DEFAULT_SOLUTION_NAME, renderMessage } from './templates';
import { invitationsError } from '../domain/invitations.errors';

// The index's answer is shorter than the pre-check's: it is what a lost race returns.
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

/** The invitee's address, cleaned once and carried through the invitation's transaction. */
interface Invitee {
  email: string;
  emailKey: string;
  name: string;
  accessPolicy: AccessPolicy | null;
  expiresInSeconds: number;
}

/**
 * Oystehr's invite: a person becomes a practitioner or patient user by
 * setting a password through a one-time link; admins list, resend and revoke
 * these invitations. The mail goes through the outbox, in the invitation's
 * transaction.
 */
@Injectable()
export class ProfileInvitationsService {
  private readonly publicUrl: string;
  private readonly invitationExpiresSeconds: number;

  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersService,
    private readonly credentials: Credentials,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    @Inject(ConfigService) config: AppConfigService,
    @Inject(PROFILE_DIRECTORY) private readonly profiles: ProfileDirectory,
  ) {
    this.publicUrl = config.get('app', { infer: true }).publicUrl;
    this.invitationExpiresSeconds = config.get('messaging', { infer: true }).invitationExpiresSeconds;
  }

  async inviteProfile(input: ProfileInvitationInput, actor: Principal): Promise<Invitation> {
    const email = cleanEmail(input.email);
    const emailKey = identifierKey(email);
    const name = [input.firstName, input.lastName].filter(Boolean).join(' ') || email;
    const expiresInSeconds = input.expiresInSeconds ?? this.invitationExpiresSeconds;
    await this.assertInvitable(input, email, emailKey);
    const accessPolicy = input.accessPolicy ? normalizeAccessPolicy(input.accessPolicy) : null;
    try {
      return await this.tx.run(() => this.createInvitation(input, { email, emailKey, name, accessPolicy, expiresInSeconds }, actor));
    } catch (error) {
      // Lost a race with a concurrent invite or user creation: the same answers as the pre-checks.
      if (error instanceof DomainError && ['DUPLICATE_EMAIL', 'DUPLICATE_LOGIN'].includes(error.code)) {
        throw invitationsError('EMAIL_ALREADY_REGISTERED');
      }
      if (error instanceof DomainError && error.code === 'INVITATION_PENDING') throw invitationsError('INVITATION_PENDING', error.message);
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
    return { ...toPage(invitations, filter.limit, (last) => [last.created, last.id]), total };
  }

  async get(id: string): Promise<Invitation> {
    const invitation = await this.invitations.findById(id);
    if (!invitation) throw invitationsError('INVITATION_NOT_FOUND');
    return invitation;
  }

  /** A pending invitation gets a new ticket; the old one stops working. */
  async resend(id: string): Promise<Invitation> {
    return this.tx.run(async () => {
      const invitation = await this.lockPending(id);
      if (invitation.kind !== 'profile') throw invitationsError('NOT_RESENDABLE');
      const user = await this.users.findById(invitation.userId);
      if (!user) throw invitationsError('INVITATION_NOT_PENDING', 'The invited user no longer exists');
      await this.credentials.revokeInvitationTickets(id);
      const expiresInSeconds = this.invitationExpiresSeconds;
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
      await this.credentials.revokeInvitationTickets(id);
      await this.invitations.markRevoked(id, Date.now());
      const user = await this.users.findById(invitation.userId);
      if (user?.status === 'REGISTERING') await this.users.delete(user.id);
      await this.audit.record({ type: 'INVITATION_REVOKED', targetType: 'Invitation', targetId: id });
      return this.get(id);
    });
  }

  private async assertInvitable(input: ProfileInvitationInput, email: string, emailKey: string): Promise<void> {
    await this.invitations.expireStale(emailKey, Date.now());
    if (await this.invitations.hasPending(emailKey)) throw invitationsError('INVITATION_PENDING');
    if (await this.users.findByEmail(email)) throw invitationsError('EMAIL_ALREADY_REGISTERED');
    if (input.resource.id && !(await this.profiles.profileExists(input.resource.resourceType, input.resource.id))) {
      throw invitationsError('PROFILE_NOT_FOUND', `No ${input.resource.resourceType} with this id`);
    }
  }

  /** The profile (unless it exists), the REGISTERING user, the invitation and its link, in the caller's transaction. */
  private async createInvitation(input: ProfileInvitationInput, invitee: Invitee, actor: Principal): Promise<Invitation> {
    const { email, emailKey, name, accessPolicy, expiresInSeconds } = invitee;
    const profileType = input.resource.resourceType;
    const profileId =
      input.resource.id ??
      (await this.profiles.createProfile(profileType, { firstName: input.firstName, lastName: input.lastName, email }, actor));
    const user = await this.users.create({
      login: email,
      email,
      name,
      status: 'REGISTERING',
      roles: input.roles ?? [],
      accessPolicy,
      ...(profileType === 'Practitioner' ? { healthcarePartyId: profileId } : { patientId: profileId }),
    });
    const id = randomUUID();
    const now = Date.now();
    await this.invitations.insertProfileInvitation({
      id,
      userId: user.id,
      email,
      emailKey,
      channel: input.sendEmail ? 'email' : 'link',
      name,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      profileType,
      profileId,
      roles: user.roles,
      accessPolicy,
      expiresAt: now + expiresInSeconds * 1000,
      created: now,
      createdBy: actor.userId,
    });
    const invitationUrl = await this.issueLink(id, user, expiresInSeconds, !!input.sendEmail);
    await this.audit.record({
      type: 'USER_INVITED',
      targetType: 'Invitation',
      targetId: id,
      details: { userId: user.id, profile: `${profileType}/${profileId}`, sendEmail: !!input.sendEmail },
    });
    return { ...(await this.get(id)), invitationUrl };
  }

  private async issueLink(invitationId: string, user: User, expiresInSeconds: number, sendEmail: boolean): Promise<string> {
    const { ticket, expiresAt } = await this.credentials.issueInvitationTicket(user.id, expiresInSeconds, invitationId);
    const invitationUrl = `${this.publicUrl}${ACCEPT_PAGE_PATH}#ticket=${ticket}`;
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
    if (!invitation) throw invitationsError('INVITATION_NOT_FOUND');
    if (invitation.status !== 'PENDING')
      throw invitationsError('INVITATION_NOT_PENDING', `The invitation is ${invitation.status.toLowerCase()}`);
    return invitation;
  }
}
