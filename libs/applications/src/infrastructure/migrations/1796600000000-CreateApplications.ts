import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApplications1796600000000 implements MigrationInterface {
  name = 'CreateApplications1796600000000';

  async up(db: QueryRunner): Promise<void> {
    // client_secret is sealed with DATA_ENCRYPTION_KEY: the OpenID provider must read it back to check a client's secret.
    await db.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY,
        rev text NOT NULL,
        client_id text NOT NULL,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('public', 'confidential')),
        redirect_uris text[] NOT NULL,
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        allowed_scopes text[] NOT NULL,
        client_secret text,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        CONSTRAINT applications_secret_check CHECK ((type = 'confidential') = (client_secret IS NOT NULL))
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_applications_client_id ON applications (client_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE applications`);
  }
}
