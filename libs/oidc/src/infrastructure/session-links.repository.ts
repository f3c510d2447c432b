import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@careid/shared';

/** A provider sign-in session (by its uid) or grant (by its id). */
export type LinkKind = 'session' | 'grant';

export interface SessionLink {
  /** The Careid session (refresh-token family) behind it. */
  sessionId: string;
  userId: string;
}

const FIND = preparedStatement(
  'oidc_session_links.find',
  `SELECT session_id, user_id FROM oidc_session_links WHERE kind = $1 AND id = $2 AND expires_at > $3`,
);

@Injectable()
export class SessionLinksRepository {
  constructor(private readonly tx: TransactionHost) {}

  async link(kind: LinkKind, id: string, link: SessionLink, expiresAt: number): Promise<void> {
    await this.tx.query(
      `INSERT INTO oidc_session_links (kind, id, session_id, user_id, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, id) DO UPDATE SET session_id = EXCLUDED.session_id, user_id = EXCLUDED.user_id, expires_at = EXCLUDED.expires_at`,
      [kind, id, link.sessionId, link.userId, expiresAt],
    );
  }

  async find(kind: LinkKind, id: string): Promise<SessionLink | null> {
    const rows = await this.tx.query(FIND, [kind, id, Date.now()]);
    return rows.length ? { sessionId: rows[0].session_id, userId: rows[0].user_id } : null;
  }

  async findMany(kind: LinkKind, ids: string[]): Promise<SessionLink[]> {
    if (!ids.length) return [];
    const rows = await this.tx.query(`SELECT session_id, user_id FROM oidc_session_links WHERE kind = $1 AND id = ANY($2)`, [kind, ids]);
    return rows.map((row: Record<string, string>) => ({ sessionId: row.session_id, userId: row.user_id }));
  }

  async sweepExpired(now: number): Promise<void> {
    await this.tx.query(`DELETE FROM oidc_session_links WHERE expires_at < $1`, [now]);
  }
}
