import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, TransactionHost } from '@careid/shared';

export type TicketKind = 'invitation' | 'password-reset';

export interface TicketState {
  kind: TicketKind;
  userId: string;
  invitationId: string | null;
  state: 'usable' | 'used' | 'expired' | 'revoked';
  expiresAt: number;
}

const hash = (ticket: string) => createHash('sha256').update(ticket, 'utf8').digest();

/**
 * One-time tickets: 256 random bits in the link, a SHA-256 in the database.
 * A ticket is used at most once (an atomic UPDATE claims it), expires, and
 * can be revoked.
 */
@Injectable()
export class Tickets {
  constructor(private readonly tx: TransactionHost) {}

  async issue(
    kind: TicketKind,
    userId: string,
    expiresInSeconds: number,
    invitationId: string | null = null,
  ): Promise<{ ticket: string; expiresAt: number }> {
    const ticket = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + expiresInSeconds * 1000;
    await this.tx.manager.query(
      `INSERT INTO tickets (id, kind, user_id, invitation_id, token_hash, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [randomUUID(), kind, userId, invitationId, hash(ticket), now, expiresAt],
    );
    return { ticket, expiresAt };
  }

  /** What a ticket is, without using it; null when it is unknown. */
  async inspect(ticket: string): Promise<TicketState | null> {
    const rows: Record<string, any>[] = await this.tx.manager.query(
      'SELECT kind, user_id, invitation_id, expires_at, used_at, revoked_at FROM tickets WHERE token_hash = $1',
      [hash(ticket)],
    );
    const row = rows[0];
    if (!row) return null;
    const expiresAt = Number(row.expires_at);
    const state = row.used_at !== null ? 'used' : row.revoked_at !== null ? 'revoked' : expiresAt <= Date.now() ? 'expired' : 'usable';
    return { kind: row.kind, userId: row.user_id, invitationId: row.invitation_id, state, expiresAt };
  }

  /** Uses a ticket of the given kind, or explains why it cannot be used. Joins the caller's transaction. */
  async consume(ticket: string, kind: TicketKind): Promise<{ userId: string; invitationId: string | null }> {
    const [rows] = await this.tx.manager.query(
      `UPDATE tickets SET used_at = $3 WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3
       RETURNING user_id, invitation_id`,
      [hash(ticket), kind, Date.now()],
    );
    if (rows.length) return { userId: rows[0].user_id, invitationId: rows[0].invitation_id };
    const state = await this.inspect(ticket);
    throw ticketError(state && state.kind === kind ? state.state : null);
  }

  async revokeForUser(userId: string, kind: TicketKind): Promise<void> {
    await this.tx.manager.query(
      `UPDATE tickets SET revoked_at = $3 WHERE user_id = $1 AND kind = $2 AND used_at IS NULL AND revoked_at IS NULL`,
      [userId, kind, Date.now()],
    );
  }

  /**
   * Serialises the issuing of one user's tickets of a kind until the caller's transaction ends, then tells when the
   * last one was issued (epoch ms, 0 if never): a throttle that holds under concurrent requests and across instances.
   */
  async lockAndLastIssued(userId: string, kind: TicketKind): Promise<number> {
    await this.tx.manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tickets:${kind}:${userId}`]);
    const rows: { last: string | null }[] = await this.tx.manager.query(
      'SELECT max(created) AS last FROM tickets WHERE user_id = $1 AND kind = $2',
      [userId, kind],
    );
    return Number(rows[0].last ?? 0);
  }

  async revokeForInvitation(invitationId: string): Promise<void> {
    await this.tx.manager.query(`UPDATE tickets SET revoked_at = $2 WHERE invitation_id = $1 AND used_at IS NULL AND revoked_at IS NULL`, [
      invitationId,
      Date.now(),
    ]);
  }
}

export function ticketError(state: TicketState['state'] | null): DomainError {
  switch (state) {
    case 'used':
      return DomainError.gone('TICKET_USED', 'This link has already been used');
    case 'expired':
      return DomainError.gone('TICKET_EXPIRED', 'This link has expired; ask for a new one');
    case 'revoked':
      return DomainError.gone('TICKET_REVOKED', 'This link has been withdrawn; ask for a new one');
    default:
      return DomainError.invalid('TICKET_UNKNOWN', 'This link is not valid');
  }
}
