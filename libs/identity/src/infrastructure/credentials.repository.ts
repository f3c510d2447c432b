import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@careid/shared';
import type { AuditRecord } from '../domain/audit';
import type { CredentialEvent } from '../domain/credential-lifecycle';
import { auditEventParameters, insertAuditEventSql } from './audit-events.repository';

// The statements of every login and refresh, prepared once per connection (see PreparedStatement).
const INSERT_REFRESH_TOKEN_SQL =
  'INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, family_created, created, credential_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)';
const INSERT_REFRESH_TOKEN = preparedStatement('sessions.insert-refresh-token', INSERT_REFRESH_TOKEN_SQL);
/** A session and its audit event in one statement: one round trip and one commit, and never one without the other. */
const INSERT_REFRESH_TOKEN_AUDITED = preparedStatement(
  'sessions.insert-refresh-token-audited',
  `WITH session AS (${INSERT_REFRESH_TOKEN_SQL}) ${insertAuditEventSql(8)}`,
);
const REFRESH_TOKEN_BY_HASH = preparedStatement(
  'sessions.refresh-token-by-hash',
  `SELECT r.id, r.family_id, r.user_id, r.family_created, r.created, r.revoked_at, r.revoked_reason,
          u.status, u.deletion_date, u.session_version
   FROM refresh_tokens r JOIN users u ON u.id = r.user_id
   WHERE r.token_hash = $1`,
);
const ROTATE_REFRESH_TOKEN = preparedStatement(
  'sessions.rotate-refresh-token',
  `WITH retired AS (
     UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'rotated' WHERE id = $1 AND revoked_at IS NULL
     RETURNING family_id, user_id, family_created, credential_expires_at
   )
   INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, family_created, created, credential_expires_at)
   SELECT $3, family_id, user_id, $4, family_created, $2, credential_expires_at FROM retired
   RETURNING id`,
);
/** A session is a refresh-token family; it is live while one of its tokens is not revoked (one at a time, by rotation). */
const SESSION_IS_LIVE = preparedStatement(
  'credentials.session-is-live',
  'SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL) AS live',
);
const CLAIM_TOTP_STEP = preparedStatement(
  'credentials.claim-totp-step',
  'UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)',
);

export type RevocationReason = CredentialEvent | 'rotated' | 'reuse' | 'expired';

/** A refresh token as a new session stores it. */
export interface NewRefreshToken {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: Buffer;
  /** Epoch ms: both the family's start and the token's creation. */
  created: number;
  credentialExpiresAt: number | null;
}

/** A refresh token found by its hash, with the state of its user. */
export interface RefreshTokenRow {
  id: string;
  family_id: string;
  user_id: string;
  family_created: string;
  created: string;
  revoked_at: string | null;
  revoked_reason: string | null;
  status: string;
  deletion_date: string | null;
  session_version: number;
}

/** The statements of sessions (refresh-token families) and used TOTP steps. */
@Injectable()
export class CredentialsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Starts a session; with `audit`, that audit event is written by the same statement. */
  insertSession(token: NewRefreshToken, audit?: AuditRecord): Promise<unknown> {
    const session = [token.id, token.familyId, token.userId, token.tokenHash, token.created, token.created, token.credentialExpiresAt];
    return audit
      ? this.tx.query(INSERT_REFRESH_TOKEN_AUDITED, [...session, ...auditEventParameters(audit)])
      : this.tx.query(INSERT_REFRESH_TOKEN, session);
  }

  refreshTokenByHash(tokenHash: Buffer): Promise<RefreshTokenRow[]> {
    return this.tx.query(REFRESH_TOKEN_BY_HASH, [tokenHash]);
  }

  /**
   * Retires a refresh token and stores its successor in one statement, atomic without a transaction; returns no row
   * when the token was already retired.
   */
  rotateRefreshToken(tokenId: string, now: number, nextId: string, nextHash: Buffer): Promise<unknown[]> {
    return this.tx.query(ROTATE_REFRESH_TOKEN, [tokenId, now, nextId, nextHash]);
  }

  /** The session a refresh token belongs to, revoked or not. */
  async sessionOfRefreshToken(tokenHash: Buffer): Promise<{ sessionId: string; userId: string } | null> {
    const rows: { family_id: string; user_id: string }[] = await this.tx.query(
      'SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1',
      [tokenHash],
    );
    return rows.length ? { sessionId: rows[0].family_id, userId: rows[0].user_id } : null;
  }

  async isSessionLive(sessionId: string, userId: string): Promise<boolean> {
    const rows: { live: boolean }[] = await this.tx.queryOutsideTransaction(SESSION_IS_LIVE, [sessionId, userId]);
    return rows[0].live;
  }

  /** Outside the ambient transaction when `standalone`: a revocation that must hold even if the caller then fails. */
  async revokeSession(sessionId: string, reason: RevocationReason, standalone = false): Promise<void> {
    const sql = `UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = $3 WHERE family_id = $1 AND revoked_at IS NULL`;
    const parameters = [sessionId, Date.now(), reason];
    await (standalone ? this.tx.queryOutsideTransaction(sql, parameters) : this.tx.query(sql, parameters));
  }

  /** Every live session of the user, but `exceptSessionId` when given. */
  async revokeSessionsOf(userId: string, reason: RevocationReason, exceptSessionId: string | null): Promise<void> {
    await this.tx.query(
      `UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = $3
       WHERE user_id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR family_id <> $4::uuid)`,
      [userId, Date.now(), reason, exceptSessionId],
    );
  }

  /** When the session was opened with a login token: that token's expiry (epoch ms); else null. */
  async sessionCredentialExpiry(sessionId: string): Promise<number | null> {
    const rows: { credential_expires_at: string | null }[] = await this.tx.query(
      'SELECT credential_expires_at FROM refresh_tokens WHERE family_id = $1 ORDER BY created DESC LIMIT 1',
      [sessionId],
    );
    return rows.length && rows[0].credential_expires_at !== null ? Number(rows[0].credential_expires_at) : null;
  }

  /** Records a TOTP time step as used; false when it (or a later one) already was, also under concurrent calls. */
  async claimTotpStep(userId: string, step: number): Promise<boolean> {
    const [, count]: [unknown, number] = await this.tx.query(CLAIM_TOTP_STEP, [userId, step]);
    return count > 0;
  }
}
