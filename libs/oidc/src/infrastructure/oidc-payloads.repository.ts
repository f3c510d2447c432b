import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@careid/shared';

/** A stored oidc-provider model instance, as the provider's adapter interface hands it over. */
export interface StoredPayload {
  payload: Record<string, unknown>;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  /** Epoch ms; null: kept until destroyed. */
  expiresAt: number | null;
}

const FIND = preparedStatement(
  'oidc_payloads.find',
  `SELECT payload, consumed_at FROM oidc_payloads WHERE kind = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > $3)`,
);
const UPSERT = preparedStatement(
  'oidc_payloads.upsert',
  `INSERT INTO oidc_payloads (kind, id, payload, grant_id, user_code, uid, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
   ON CONFLICT (kind, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
     uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at, consumed_at = NULL`,
);

/** The payload with `consumed` (epoch seconds) put back, as oidc-provider expects to find it. */
function withConsumed(rows: { payload: Record<string, unknown>; consumed_at: string | null }[]): Record<string, unknown> | undefined {
  if (!rows.length) return undefined;
  const { payload, consumed_at: consumedAt } = rows[0];
  return consumedAt === null ? payload : { ...payload, consumed: Math.floor(Number(consumedAt) / 1000) };
}

/** oidc-provider's storage: one table, one row per model instance (`kind` is the model's name). */
@Injectable()
export class OidcPayloadsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async upsert(kind: string, id: string, stored: StoredPayload): Promise<void> {
    await this.tx.query(UPSERT, [kind, id, stored.payload, stored.grantId, stored.userCode, stored.uid, stored.expiresAt]);
  }

  async find(kind: string, id: string): Promise<Record<string, unknown> | undefined> {
    return withConsumed(await this.tx.query(FIND, [kind, id, Date.now()]));
  }

  async findBy(kind: string, column: 'uid' | 'user_code', value: string): Promise<Record<string, unknown> | undefined> {
    const rows = await this.tx.query(
      `SELECT payload, consumed_at FROM oidc_payloads
       WHERE kind = $1 AND ${column === 'uid' ? 'uid' : 'user_code'} = $2 AND (expires_at IS NULL OR expires_at > $3) LIMIT 1`,
      [kind, value, Date.now()],
    );
    return withConsumed(rows);
  }

  async consume(kind: string, id: string): Promise<void> {
    await this.tx.query(`UPDATE oidc_payloads SET consumed_at = $3 WHERE kind = $1 AND id = $2`, [kind, id, Date.now()]);
  }

  /** The payload of the row it deleted, if any. */
  async destroy(kind: string, id: string): Promise<Record<string, unknown> | undefined> {
    const [rows] = await this.tx.query(`DELETE FROM oidc_payloads WHERE kind = $1 AND id = $2 RETURNING payload`, [kind, id]);
    return rows[0]?.payload;
  }

  async revokeByGrantId(kind: string, grantId: string): Promise<void> {
    await this.tx.query(`DELETE FROM oidc_payloads WHERE kind = $1 AND grant_id = $2`, [kind, grantId]);
  }

  /** Deletes expired rows (a bounded batch); returns how many went. */
  async sweepExpired(now: number, batch = 5000): Promise<number> {
    const [, count] = await this.tx.query(
      `DELETE FROM oidc_payloads WHERE ctid IN (SELECT ctid FROM oidc_payloads WHERE expires_at < $1 LIMIT $2)`,
      [now, batch],
    );
    return count ?? 0;
  }
}
