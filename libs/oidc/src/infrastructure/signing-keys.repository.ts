import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@careid/shared';

export interface StoredSigningKey {
  kid: string;
  alg: string;
  /** The private JWK, sealed. */
  sealedPrivateJwk: string;
  created: number;
  retiredAt: number | null;
}

/** The provider's signing keys: newest first. */
@Injectable()
export class SigningKeysRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Serialises key generation between instances starting together (held until the transaction ends). */
  async lockKeys(): Promise<void> {
    await this.tx.query(`SELECT pg_advisory_xact_lock(hashtext('oidc_signing_keys'))`);
  }

  async all(): Promise<StoredSigningKey[]> {
    const rows = await this.tx.query(`SELECT kid, alg, private_jwk, created, retired_at FROM oidc_signing_keys ORDER BY created DESC, kid`);
    return rows.map((row: Record<string, any>) => ({
      kid: row.kid,
      alg: row.alg,
      sealedPrivateJwk: row.private_jwk,
      created: Number(row.created),
      retiredAt: row.retired_at === null ? null : Number(row.retired_at),
    }));
  }

  async insert(key: StoredSigningKey, publicJwk: Record<string, unknown>): Promise<void> {
    await this.tx.query(`INSERT INTO oidc_signing_keys (kid, alg, private_jwk, public_jwk, created) VALUES ($1, $2, $3, $4, $5)`, [
      key.kid,
      key.alg,
      key.sealedPrivateJwk,
      publicJwk,
      key.created,
    ]);
  }

  /** Stops the keys signing (they stay published); those retired before `forgetBefore` are deleted. */
  async retireAllBut(kids: string[], now: number, forgetBefore: number): Promise<void> {
    await this.tx.query(`UPDATE oidc_signing_keys SET retired_at = $2 WHERE retired_at IS NULL AND NOT (kid = ANY($1))`, [kids, now]);
    await this.tx.query(`DELETE FROM oidc_signing_keys WHERE retired_at < $1`, [forgetBefore]);
  }
}
