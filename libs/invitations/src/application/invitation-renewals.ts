import { Injectable } from '@nestjs/common';
import { UsersService } from '@careid/identity';
import { InvitationsRepository, StoredInvitation } from '../infrastructure/invitations.repository';

/**
 * What lets a new invitation take the place of an old one, in the caller's transaction. An expired or revoked
 * invitation never blocks a new one: the unique indexes count only stored PENDING rows, and these steps store what
 * a stale row has become before the new one is written (one of two racing invitations then loses on the index).
 */
@Injectable()
export class InvitationRenewals {
  constructor(
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersService,
  ) {}

  /**
   * Frees an email for a new invitation: its pending invitation becomes EXPIRED when past its expiry, REVOKED when
   * its user was deleted. One still pending for a live user keeps the email.
   */
  async freeEmail(emailKey: string): Promise<void> {
    const now = Date.now();
    await this.invitations.expireStale({ emailKey }, now);
    const holder = await this.invitations.lockPendingForEmail(emailKey);
    if (holder && !(await this.users.findById(holder.userId))) await this.invitations.markRevoked(holder.id, now);
  }

  /** The user's latest invitation, locked, with its expiry stored: what a renewal or a resend decides on. */
  async latestOf(userId: string): Promise<StoredInvitation | null> {
    await this.invitations.expireStale({ userId }, Date.now());
    return this.invitations.lockLatestOfUser(userId);
  }
}
