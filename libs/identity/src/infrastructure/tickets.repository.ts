import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@careid/shared';

export type TicketKind = 'invitation' | 'password-reset';

export interface NewTicket {
  id: string;
  kind: TicketKind;
  userId: string;
  invitationId: string | null;
  tokenHash: Buffer;
  created: number;
  expiresAt: number;
}

export interface TicketRow {
  kind: TicketKind;
  userId: string;
  invitationId: string | null;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
}

/** The statements of one-time tickets (`tickets`), found by the SHA-256 of the ticket. */
@Injectable()
export class TicketsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(ticket: NewTicket): Promise<void> {
    await this.tx.query(
      `INSERT INTO tickets (id, kind, user_id, invitation_id, token_hash, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [ticket.id, ticket.kind, ticket.userId, ticket.invitationId, ticket.tokenHash, ticket.created, ticket.expiresAt],
    );
  }

  async findByHash(tokenHash: Buffer): Promise<TicketRow | null> {
    const rows: Record<string, any>[] = await this.tx.query(
      'SELECT kind, user_id, invitation_id, expires_at, used_at, revoked_at FROM tickets WHERE token_hash = $1',
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      kind: row.kind,
      userId: row.user_id,
      invitationId: row.invitation_id,
      expiresAt: Number(row.expires_at),
      usedAt: row.used_at,
      revokedAt: row.revoked_at,
    };
  }

  /** Marks a usable ticket of the kind used (one of concurrent calls wins); null when none was. */
  async markUsed(tokenHash: Buffer, kind: TicketKind, now: number): Promise<{ userId: string; invitationId: string | null } | null> {
    const [rows] = await this.tx.query(
      `UPDATE tickets SET used_at = $3 WHERE token_hash = $1 AND kind = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3
       RETURNING user_id, invitation_id`,
      [tokenHash, kind, now],
    );
    return rows.length ? { userId: rows[0].user_id, invitationId: rows[0].invitation_id } : null;
  }

  async revokeForUser(userId: string, kind: TicketKind, now: number): Promise<void> {
    await this.tx.query(`UPDATE tickets SET revoked_at = $3 WHERE user_id = $1 AND kind = $2 AND used_at IS NULL AND revoked_at IS NULL`, [
      userId,
      kind,
      now,
    ]);
  }

  async revokeForInvitation(invitationId: string, now: number): Promise<void> {
    await this.tx.query(`UPDATE tickets SET revoked_at = $2 WHERE invitation_id = $1 AND used_at IS NULL AND revoked_at IS NULL`, [
      invitationId,
      now,
    ]);
  }

  /** Takes a transaction-scoped advisory lock on the user's tickets of a kind; returns when the last was issued (0: never). */
  async lockAndLastIssued(userId: string, kind: TicketKind): Promise<number> {
    await this.tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tickets:${kind}:${userId}`]);
    const rows: { last: string | null }[] = await this.tx.query(
      'SELECT max(created) AS last FROM tickets WHERE user_id = $1 AND kind = $2',
      [userId, kind],
    );
    return Number(rows[0].last ?? 0);
  }
}
