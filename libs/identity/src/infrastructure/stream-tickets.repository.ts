import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@careid/shared';

export interface StreamTicketRow {
  tokenHash: Buffer;
  userId: string;
  sessionId: string;
  sessionVersion: number;
  accessExpiresAt: number;
  created: number;
  expiresAt: number;
}

/** The statements of stream tickets (`stream_tickets`), found by the SHA-256 of the ticket. */
@Injectable()
export class StreamTicketsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Stores a ticket, and forgets those expired before `now` (nobody can use them any more). */
  async insert(ticket: StreamTicketRow, now: number): Promise<void> {
    await this.tx.query('DELETE FROM stream_tickets WHERE expires_at <= $1', [now]);
    await this.tx.query(
      `INSERT INTO stream_tickets (token_hash, user_id, session_id, session_version, access_expires_at, created, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [ticket.tokenHash, ticket.userId, ticket.sessionId, ticket.sessionVersion, ticket.accessExpiresAt, ticket.created, ticket.expiresAt],
    );
  }

  /** Deletes the ticket and returns it if it had not expired at `now`: of concurrent calls, one at most gets it. */
  async take(tokenHash: Buffer, now: number): Promise<Omit<StreamTicketRow, 'tokenHash' | 'created' | 'expiresAt'> | null> {
    const [rows] = await this.tx.query(
      `DELETE FROM stream_tickets WHERE token_hash = $1
       RETURNING user_id, session_id, session_version, access_expires_at, expires_at`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row || Number(row.expires_at) <= now) return null;
    return {
      userId: row.user_id,
      sessionId: row.session_id,
      sessionVersion: Number(row.session_version),
      accessExpiresAt: Number(row.access_expires_at),
    };
  }
}
