import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOpenIdProvider1796642000000 implements MigrationInterface {
  name = 'CreateOpenIdProvider1796642000000';

  async up(db: QueryRunner): Promise<void> {
    // What oidc-provider stores (sessions, interactions, codes, tokens, grants), one row per model instance.
    await db.query(`
      CREATE TABLE oidc_payloads (
        kind text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        grant_id text,
        user_code text,
        uid text,
        expires_at bigint,
        consumed_at bigint,
        CONSTRAINT oidc_payloads_pkey PRIMARY KEY (kind, id)
      )`);
    await db.query(`CREATE INDEX ix_oidc_payloads_grant_id ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_oidc_payloads_uid ON oidc_payloads (kind, uid) WHERE uid IS NOT NULL`);
    await db.query(`CREATE INDEX ix_oidc_payloads_user_code ON oidc_payloads (user_code) WHERE user_code IS NOT NULL`);
    await db.query(`CREATE INDEX ix_oidc_payloads_expires_at ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL`);
    // Signing keys: the private half sealed with DATA_ENCRYPTION_KEY; a retired key stays published for a while.
    await db.query(`
      CREATE TABLE oidc_signing_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        private_jwk text NOT NULL,
        public_jwk jsonb NOT NULL,
        created bigint NOT NULL,
        retired_at bigint
      )`);
    // Which Careid session (refresh-token family) stands behind a provider sign-in session or grant.
    await db.query(`
      CREATE TABLE oidc_session_links (
        kind text NOT NULL CHECK (kind IN ('session', 'grant')),
        id text NOT NULL,
        session_id uuid NOT NULL,
        user_id uuid NOT NULL,
        expires_at bigint NOT NULL,
        CONSTRAINT oidc_session_links_pkey PRIMARY KEY (kind, id)
      )`);
    await db.query(`CREATE INDEX ix_oidc_session_links_expires_at ON oidc_session_links (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE oidc_session_links`);
    await db.query(`DROP TABLE oidc_signing_keys`);
    await db.query(`DROP TABLE oidc_payloads`);
  }
}
