import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External identity providers and the accounts users hold there. A provider
 * is named by its alias (it appears in URLs and in token exchange); a
 * provider's subject links to one user, and a user has at most one account
 * per provider (that unique index also finds a user's links). Deleting a
 * provider or a user deletes its links.
 */
export class Federation1796619000000 implements MigrationInterface {
  name = 'Federation1796619000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE identity_providers (
        alias text CONSTRAINT identity_providers_pkey PRIMARY KEY,
        rev text NOT NULL,
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret text,
        allow_signup boolean NOT NULL DEFAULT false,
        default_roles text[] NOT NULL DEFAULT '{}',
        require_totp boolean NOT NULL DEFAULT false,
        created bigint NOT NULL,
        modified bigint NOT NULL
      )`);
    await db.query(`
      CREATE TABLE federated_identities (
        id uuid CONSTRAINT federated_identities_pkey PRIMARY KEY,
        provider text NOT NULL CONSTRAINT federated_identities_provider_fkey REFERENCES identity_providers (alias) ON DELETE CASCADE,
        subject text NOT NULL,
        user_id uuid NOT NULL CONSTRAINT federated_identities_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
        email text,
        created bigint NOT NULL,
        CONSTRAINT uq_federated_identities_subject UNIQUE (provider, subject),
        CONSTRAINT uq_federated_identities_user_provider UNIQUE (user_id, provider)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE federated_identities`);
    await db.query(`DROP TABLE identity_providers`);
  }
}
