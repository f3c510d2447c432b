import { MigrationInterface, QueryRunner } from 'typeorm';

const OLD_REASONS = `'rotated', 'logout', 'reuse', 'expired', 'user-changed'`;
const REASONS = `${OLD_REASONS}, 'password-changed', 'password-set-by-admin', 'password-reset', 'two-factor-changed'`;

/**
 * Sessions that the per-request check can ask about by id (the access JWT's
 * `sid`, a refresh-token family): a partial index finds a family's one live
 * token. Each credential event is its own revocation reason, and a session
 * opened with a login token remembers when that token expires.
 */
export class CredentialLifecycle1795800000000 implements MigrationInterface {
  name = 'CredentialLifecycle1795800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX ix_refresh_tokens_live_family ON refresh_tokens (family_id) WHERE revoked_at IS NULL`);
    await db.query(`ALTER TABLE refresh_tokens ADD COLUMN credential_expires_at bigint`);
    await db.query(`ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_revoked_reason_check`);
    await db.query(`ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_revoked_reason_check CHECK (revoked_reason IN (${REASONS}))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE refresh_tokens SET revoked_reason = 'user-changed' WHERE revoked_reason NOT IN (${OLD_REASONS})`);
    await db.query(`ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_revoked_reason_check`);
    await db.query(
      `ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_revoked_reason_check CHECK (revoked_reason IN (${OLD_REASONS}))`,
    );
    await db.query(`ALTER TABLE refresh_tokens DROP COLUMN credential_expires_at`);
    await db.query(`DROP INDEX ix_refresh_tokens_live_family`);
  }
}
