import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@careid/shared';
import type { CredentialEvent } from '../domain/credential-lifecycle';

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

/** The statements that end credentials: sessions (refresh-token families), login tokens, used TOTP steps. */
@Injectable()
export class CredentialsRepository {
  constructor(private readonly tx: TransactionHost) {}

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

  async sessionOwner(sessionId: string): Promise<{ userId: string } | null> {
    const rows: { user_id: string }[] = await this.tx.query(
      'SELECT user_id FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL LIMIT 1',
      [sessionId],
    );
    return rows.length ? { userId: rows[0].user_id } : null;
  }

  /** When the session was opened with a login token: that token's expiry (epoch ms); else null. */
  async sessionCredentialExpiry(sessionId: string): Promise<number | null> {
    const rows: { credential_expires_at: string | null }[] = await this.tx.query(
      'SELECT credential_expires_at FROM refresh_tokens WHERE family_id = $1 ORDER BY created DESC LIMIT 1',
      [sessionId],
    );
    return rows.length && rows[0].credential_expires_at !== null ? Number(rows[0].credential_expires_at) : null;
  }

  async deleteLoginTokens(userId: string): Promise<void> {
    await this.tx.query('DELETE FROM user_tokens WHERE user_id = $1', [userId]);
  }

  /** Records a TOTP time step as used; false when it (or a later one) already was, also under concurrent calls. */
  async claimTotpStep(userId: string, step: number): Promise<boolean> {
    const [, count]: [unknown, number] = await this.tx.query(CLAIM_TOTP_STEP, [userId, step]);
    return count > 0;
  }
}
