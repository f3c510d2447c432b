import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError } from '@careid/shared';
import { TicketKind, TicketsRepository } from '../infrastructure/tickets.repository';
import { identityError } from '../domain/identity.errors';

export type { TicketKind } from '../infrastructure/tickets.repository';

export interface TicketState {
  kind: TicketKind;
  userId: string;
  invitationId: string | null;
  state: 'usable' | 'used' | 'expired' | 'revoked';
  expiresAt: number;
}

const hash = (ticket: string) => createHash('sha256').update(ticket, 'utf8').digest();

/**
 * One-time tickets (accepting an invitation, resetting a password): 256
 * random bits in the link, a SHA-256 in the database.
 * A ticket is used at most once (an atomic UPDATE claims it), expires, and
 * can be revoked.
 */
@Injectable()
export class Tickets {
  constructor(private readonly tickets: TicketsRepository) {}

  async issue(
    kind: TicketKind,
    userId: string,
    expiresInSeconds: number,
    invitationId: string | null = null,
  ): Promise<{ ticket: string; expiresAt: number }> {
    const ticket = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + expiresInSeconds * 1000;
    await this.tickets.insert({ id: randomUUID(), kind, userId, invitationId, tokenHash: hash(ticket), created: now, expiresAt });
    return { ticket, expiresAt };
  }

  /** What a ticket is, without using it; null when it is unknown. */
  async inspect(ticket: string): Promise<TicketState | null> {
    const row = await this.tickets.findByHash(hash(ticket));
    if (!row) return null;
    const { expiresAt } = row;
    const state = row.usedAt !== null ? 'used' : row.revokedAt !== null ? 'revoked' : expiresAt <= Date.now() ? 'expired' : 'usable';
    return { kind: row.kind, userId: row.userId, invitationId: row.invitationId, state, expiresAt };
  }

  /** Uses a ticket of the given kind, or explains why it cannot be used. Joins the caller's transaction. */
  async consume(ticket: string, kind: TicketKind): Promise<{ userId: string; invitationId: string | null }> {
    const used = await this.tickets.markUsed(hash(ticket), kind, Date.now());
    if (used) return used;
    const state = await this.inspect(ticket);
    throw ticketError(state && state.kind === kind ? state.state : null);
  }

  async revokeForUser(userId: string, kind: TicketKind): Promise<void> {
    await this.tickets.revokeForUser(userId, kind, Date.now());
  }

  /**
   * Serialises the issuing of one user's tickets of a kind until the caller's transaction ends, then tells when the
   * last one was issued (epoch ms, 0 if never): a throttle that holds under concurrent requests and across instances.
   */
  lockAndLastIssued(userId: string, kind: TicketKind): Promise<number> {
    return this.tickets.lockAndLastIssued(userId, kind);
  }

  async revokeForInvitation(invitationId: string): Promise<void> {
    await this.tickets.revokeForInvitation(invitationId, Date.now());
  }
}

export function ticketError(state: TicketState['state'] | null): DomainError {
  switch (state) {
    case 'used':
      return identityError('TICKET_USED');
    case 'expired':
      return identityError('TICKET_EXPIRED');
    case 'revoked':
      return identityError('TICKET_REVOKED');
    default:
      return identityError('TICKET_UNKNOWN');
  }
}
