import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin the seeder created, kept by id: ADMIN_LOGIN names the admin to
 * create once, and a user that merely has that login is never made admin.
 * One row at most (the singleton key).
 */
export class SeededAdmin1796400000000 implements MigrationInterface {
  name = 'SeededAdmin1796400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE seeded_admin (
        singleton boolean PRIMARY KEY DEFAULT true CONSTRAINT seeded_admin_singleton_check CHECK (singleton),
        user_id uuid NOT NULL REFERENCES users (id),
        created bigint NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE seeded_admin`);
  }
}
