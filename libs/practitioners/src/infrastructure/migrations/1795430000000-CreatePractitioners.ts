import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePractitioners1795430000000 implements MigrationInterface {
  name = 'CreatePractitioners1795430000000';

  async up(db: QueryRunner): Promise<void> {
    // Client JSON is `json`, not `jsonb`: it is never queried inside, and reads give it back in the order it was written.
    await db.query(`
      CREATE TABLE practitioners (
        id uuid PRIMARY KEY,
        rev text NOT NULL,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        deletion_date bigint,
        first_name text,
        last_name text,
        family_first_key text NOT NULL,
        given_first_key text NOT NULL,
        names json NOT NULL DEFAULT '[]',
        gender text NOT NULL DEFAULT 'unknown'
          CHECK (gender IN ('male', 'female', 'indeterminate', 'changed', 'changedToMale', 'changedToFemale', 'unknown')),
        speciality text,
        addresses json NOT NULL DEFAULT '[]',
        languages json NOT NULL DEFAULT '[]',
        properties json NOT NULL DEFAULT '{}'
      )`);
    // Name prefixes (family-first and given-first keys, lower-cased by the app) are index range scans, never ILIKE.
    await db.query(
      `CREATE INDEX ix_practitioners_family_first_key ON practitioners (family_first_key text_pattern_ops) WHERE deletion_date IS NULL`,
    );
    await db.query(
      `CREATE INDEX ix_practitioners_given_first_key ON practitioners (given_first_key text_pattern_ops) WHERE deletion_date IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE practitioners`);
  }
}
