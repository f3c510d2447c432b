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
import { AppConfigService, DomainError, registerUniqueConstraintCode, TransactionHost, translateDatabaseError } from '@careid/shared';
import { PROFILE_DIRECTORY, ProfileDirectory, ProfileType } from '../domain/profile-directory';
import { Invitation, InvitationsRepository, StoredInvitation } from '../infrastructure/invitations.repository';
import { InvitationRenewals } from './invitation-renewals';
import { InvitationTarget, InvitationTargets } from './invitation-targets';
import { Outbox } from './outbox';
import { DEFAULT_SOLUTION_NAME, renderMessage } from './templates';
import { invitationsError } from '../domain/invitations.errors';

// What a lost race returns where no service maps it (the services answer 409 INVITATION_PENDING themselves).
registerUniqueConstraintCode('uq_invitations_pending_email', 'INVITATION_PENDING', 'This email already has a pending invitation');
registerUniqueConstraintCode('uq_invitations_pending_user', 'INVITATION_PENDING', 'This user already has a pending invitation');

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
  redirectUrl?: string;
  applicationId?: string;
}

/** The invitee's address, cleaned once and carried through the invitation's transaction. */
interface Invitee {
  email: string;
  emailKey: string;
  name: string;
  accessPolicy: AccessPolicy | null;
  expiresInSeconds: number;
  target: InvitationTarget;
}

/**
 * Oystehr's invite: a person becomes a practitioner or patient user by
 * setting a password through a one-time link. The mail goes through the
 * outbox, in the invitation's transaction. An email whose REGISTERING user's
 * invitation expired or was revoked is invited again with that user.
 */
@Injectable()
export class ProfileInvitationsService {
  private readonly publicUrl: string;
  private readonly invitationExpiresSeconds: number;

  constructor(
    private readonly tx: TransactionHost,
    private readonly invitations: InvitationsRepository,
    private readonly renewals: InvitationRenewals,
    private readonly targets: InvitationTargets,
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
    const target = await this.targets.resolve(input);
    const registering = await this.registeringUserOf(email, input.resource);
    const accessPolicy = input.accessPolicy ? normalizeAccessPolicy(input.accessPolicy) : null;
    const invitee: Invitee = { email, emailKey, name, accessPolicy, expiresInSeconds, target };
    try {
      return await this.tx.run(() =>
        registering ? this.renewInvitation(registering, input, invitee, actor) : this.createInvitation(input, invitee, actor),
      );
    } catch (error) {
      // Lost a race with a concurrent invite or user creation (a unique index): the same answers as the pre-checks.
      const code = (error instanceof DomainError ? error : translateDatabaseError(error))?.code;
      if (code === 'DUPLICATE_EMAIL' || code === 'DUPLICATE_LOGIN') throw invitationsError('EMAIL_ALREADY_REGISTERED');
      if (code === 'INVITATION_PENDING') throw invitationsError('INVITATION_PENDING');
      throw error;
    }
  }

  /**
   * Resends a pending or expired invitation (the caller holds its lock): a new ticket, the older ones ended, the
   * invitation pending for its lifetime again. Returns the new link.
   */
  async resend(invitation: StoredInvitation, user: User): Promise<string> {
    await this.credentials.revokeInvitationCredentials(user.id);
    const expiresInSeconds = invitation.validitySeconds ?? this.invitationExpiresSeconds;
    const { invitationUrl, expiresAt } = await this.issueLink(invitation.id, user, expiresInSeconds, invitation.channel === 'email');
    await this.invitations.reopen(invitation.id, expiresAt, null);
    return invitationUrl;
  }

  /**
   * The email's user: none yet, or a REGISTERING one whose invitation may be renewed for the same profile. An
   * ACTIVE or DISABLED user → 409 EMAIL_ALREADY_REGISTERED.
   */
  private async registeringUserOf(email: string, resource: ProfileInvitationInput['resource']): Promise<User | null> {
    const user = await this.users.findByEmail(email);
    if (user && user.status !== 'REGISTERING') throw invitationsError('EMAIL_ALREADY_REGISTERED');
    if (user) {
      const profileId = resource.resourceType === 'Practitioner' ? user.healthcarePartyId : user.patientId;
      if (!profileId || (resource.id && resource.id.toLowerCase() !== profileId.toLowerCase())) throw invitationsError('PROFILE_MISMATCH');
    } else if (resource.id && !(await this.profiles.profileExists(resource.resourceType, resource.id))) {
      throw invitationsError('PROFILE_NOT_FOUND', `No ${resource.resourceType} with this id`);
    }
    return user;
  }

  /** The profile (unless it exists), the REGISTERING user, the invitation and its link, in the caller's transaction. */
  private async createInvitation(input: ProfileInvitationInput, invitee: Invitee, actor: Principal): Promise<Invitation> {
    const { email, emailKey, name, accessPolicy } = invitee;
    await this.renewals.freeEmail(emailKey);
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
    return this.recordInvitation(user, input, invitee, actor, false);
  }

  /**
   * A renewal: the REGISTERING user's last profile invitation expired or was revoked. Its unused tickets end, and
   * the user takes the new invitation's name, roles and access policy.
   */
  private async renewInvitation(user: User, input: ProfileInvitationInput, invitee: Invitee, actor: Principal): Promise<Invitation> {
    const latest = await this.renewals.latestOf(user.id);
    if (latest?.status === 'PENDING') throw invitationsError('INVITATION_PENDING');
    if (!latest || latest.kind !== 'profile' || latest.status === 'ACCEPTED') throw invitationsError('EMAIL_ALREADY_REGISTERED');
    await this.credentials.revokeInvitationCredentials(user.id);
    const wanted = { name: invitee.name, roles: [...new Set(input.roles ?? [])], accessPolicy: invitee.accessPolicy };
    const current = { name: user.name, roles: user.roles, accessPolicy: user.accessPolicy };
    const updated =
      JSON.stringify(wanted) === JSON.stringify(current) ? user : await this.users.modify(user.id, { rev: user.rev, ...wanted }, actor);
    return this.recordInvitation(updated, input, invitee, actor, true);
  }

  /** The invitation of a REGISTERING user and its link, in the caller's transaction. */
  private async recordInvitation(
    user: User,
    input: ProfileInvitationInput,
    invitee: Invitee,
    actor: Principal,
    renewed: boolean,
  ): Promise<Invitation> {
    const profileType = input.resource.resourceType;
    const profileId = (profileType === 'Practitioner' ? user.healthcarePartyId : user.patientId)!;
    const id = randomUUID();
    const now = Date.now();
    await this.invitations.insertProfileInvitation({
      id,
      userId: user.id,
      email: invitee.email,
      emailKey: invitee.emailKey,
      channel: input.sendEmail ? 'email' : 'link',
      name: invitee.name,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      profileType,
      profileId,
      roles: user.roles,
      accessPolicy: invitee.accessPolicy,
      expiresAt: now + invitee.expiresInSeconds * 1000,
      created: now,
      createdBy: actor.userId,
      validitySeconds: invitee.expiresInSeconds,
      ...invitee.target,
    });
    const { invitationUrl } = await this.issueLink(id, user, invitee.expiresInSeconds, !!input.sendEmail);
    await this.audit.record({
      type: 'USER_INVITED',
      targetType: 'Invitation',
      targetId: id,
      details: { userId: user.id, profile: `${profileType}/${profileId}`, sendEmail: !!input.sendEmail, renewed },
    });
    return { ...(await this.invitations.findById(id))!, invitationUrl };
  }

  private async issueLink(
    invitationId: string,
    user: User,
    expiresInSeconds: number,
    sendEmail: boolean,
  ): Promise<{ invitationUrl: string; expiresAt: number }> {
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
    return { invitationUrl, expiresAt };
  }
}
