import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1795400000000 implements MigrationInterface {
  name = 'CreateIdentity1795400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        rev text NOT NULL,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        deletion_date bigint,
        name text,
        properties jsonb NOT NULL DEFAULT '{}',
        permissions jsonb NOT NULL DEFAULT '[]',
        roles text[] NOT NULL DEFAULT '{}',
        type text NOT NULL DEFAULT 'database' CHECK (type IN ('database', 'ldap', 'token')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED', 'REGISTERING')),
        login text NOT NULL,
        login_key text NOT NULL,
        password_hash text,
        secret text,
        pending_secret text,
        totp_last_step bigint,
        use2fa boolean NOT NULL DEFAULT false,
        group_id text NOT NULL,
        healthcare_party_id uuid,
        patient_id uuid,
        auto_delegations jsonb NOT NULL DEFAULT '{}',
        created_date bigint,
        terms_of_use_date bigint,
        email text,
        email_key text,
        sharing_data_with jsonb NOT NULL DEFAULT '{}',
        access_policy jsonb,
        session_version integer NOT NULL DEFAULT 1,
        CONSTRAINT ck_users_one_data_owner CHECK (healthcare_party_id IS NULL OR patient_id IS NULL)
      )`);
    // Uniqueness lives here, on live rows only, so a deleted user's login and email can be taken again.
    await db.query(`CREATE UNIQUE INDEX uq_users_login ON users (login_key) WHERE deletion_date IS NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_users_email ON users (email_key) WHERE deletion_date IS NULL AND email_key IS NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_users_patient ON users (patient_id) WHERE deletion_date IS NULL AND patient_id IS NOT NULL`);
    await db.query(
      `CREATE UNIQUE INDEX uq_users_healthcare_party ON users (healthcare_party_id) WHERE deletion_date IS NULL AND healthcare_party_id IS NOT NULL`,
    );
    await db.query(`CREATE INDEX ix_users_login_prefix ON users (login_key text_pattern_ops)`);
    await db.query(`CREATE INDEX ix_users_email_prefix ON users (email_key text_pattern_ops)`);
    await db.query(`CREATE INDEX ix_users_status ON users (status, id)`);

    // Login tokens ("authenticationTokens"): only a SHA-256 of the value is kept.
    await db.query(`
      CREATE TABLE user_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        key text NOT NULL,
        token_hash bytea NOT NULL,
        kind text NOT NULL DEFAULT 'temporary' CHECK (kind IN ('temporary', 'long-lived', 'invitation')),
        created bigint NOT NULL,
        expires_at bigint NOT NULL,
        CONSTRAINT uq_user_tokens_key UNIQUE (user_id, key)
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_user_tokens_hash ON user_tokens (token_hash)`);

    // Refresh tokens: one family per login session; rotation revokes the previous token of the family.
    await db.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        family_created bigint NOT NULL,
        created bigint NOT NULL,
        revoked_at bigint,
        revoked_reason text CHECK (revoked_reason IN ('rotated', 'logout', 'reuse', 'expired', 'user-changed'))
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_refresh_tokens_hash ON refresh_tokens (token_hash)`);
    await db.query(`CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id)`);
    await db.query(`CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL`);

    // Lockout state, keyed by the normalised login (known or not), shared by every instance.
    await db.query(`
      CREATE TABLE login_failures (
        login_key text PRIMARY KEY,
        failures integer NOT NULL DEFAULT 0,
        lock_level integer NOT NULL DEFAULT 0,
        locked_until bigint NOT NULL DEFAULT 0,
        updated bigint NOT NULL
      )`);

    await db.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred bigint NOT NULL,
        type text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
        actor_id uuid,
        actor_login text,
        target_type text,
        target_id text,
        ip text,
        request_id text,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await db.query(`CREATE INDEX ix_audit_events_actor ON audit_events (actor_id, id)`);
    await db.query(`CREATE INDEX ix_audit_events_target ON audit_events (target_id, id)`);
    await db.query(`CREATE INDEX ix_audit_events_type ON audit_events (type, id)`);
    await db.query(`CREATE INDEX ix_audit_events_occurred ON audit_events (occurred)`);
    // Append-only, enforced by the database itself.
    await db.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await db.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_events`);
    await db.query(`DROP FUNCTION audit_events_append_only`);
    await db.query(`DROP TABLE login_failures`);
    await db.query(`DROP TABLE refresh_tokens`);
    await db.query(`DROP TABLE user_tokens`);
    await db.query(`DROP TABLE users`);
  }
}
