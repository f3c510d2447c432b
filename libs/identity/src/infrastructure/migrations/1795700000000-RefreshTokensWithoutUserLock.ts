import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops the foreign key from refresh_tokens to users. PostgreSQL checks it by
 * locking the user's row (FOR KEY SHARE) in every transaction that inserts a
 * refresh token; concurrent logins and refreshes of one user then share that
 * lock through a MultiXact, rebuilt with every new holder, which makes
 * refreshes costly (BENCHMARKS.md). What the key gave is kept otherwise: a
 * session starts only for a user just read, users are only ever soft-deleted
 * (their sessions revoked in the same transaction), and a token whose user
 * row is gone finds no user when it is used (the lookup joins users).
 */
export class RefreshTokensWithoutUserLock1795700000000 implements MigrationInterface {
  name = 'RefreshTokensWithoutUserLock1795700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE refresh_tokens DROP CONSTRAINT refresh_tokens_user_id_fkey`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE refresh_tokens ADD CONSTRAINT refresh_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`,
    );
  }
}
