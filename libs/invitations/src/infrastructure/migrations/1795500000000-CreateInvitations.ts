import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInvitations1795500000000 implements MigrationInterface {
  name = 'CreateInvitations1795500000000';

  async up(db: QueryRunner): Promise<void> {
    // Transactional outbox: a message is inserted in the transaction that needs it, and delivered by a worker.
    await db.query(`
      CREATE TABLE outbox_messages (
        id uuid PRIMARY KEY,
        channel text NOT NULL CHECK (channel IN ('email', 'sms')),
        kind text NOT NULL,
        recipient text NOT NULL,
        reply_to text,
        subject text,
        text_body text,
        html_body text,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'SENT', 'FAILED', 'NOT_SENT')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        last_error text,
        created bigint NOT NULL,
        sent_at bigint
      )`);
    await db.query(`CREATE INDEX ix_outbox_messages_due ON outbox_messages (next_attempt_at) WHERE status = 'QUEUED'`);

    await db.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('profile', 'patient')),
        user_id uuid NOT NULL,
        email text,
        email_key text,
        phone text,
        channel text NOT NULL CHECK (channel IN ('email', 'sms', 'link')),
        name text,
        first_name text,
        last_name text,
        profile_type text NOT NULL CHECK (profile_type IN ('Practitioner', 'Patient')),
        profile_id uuid NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        access_policy jsonb,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'EXPIRED', 'REVOKED')),
        expires_at bigint NOT NULL,
        created bigint NOT NULL,
        created_by uuid,
        accepted_at bigint,
        revoked_at bigint,
        message_id uuid REFERENCES outbox_messages (id)
      )`);
    // One pending invitation per email.
    await db.query(
      `CREATE UNIQUE INDEX uq_invitations_pending_email ON invitations (email_key) WHERE status = 'PENDING' AND email_key IS NOT NULL`,
    );
    await db.query(`CREATE INDEX ix_invitations_status ON invitations (status, created DESC, id)`);
    await db.query(`CREATE INDEX ix_invitations_created ON invitations (created DESC, id)`);
    await db.query(`CREATE INDEX ix_invitations_user ON invitations (user_id)`);

    // One-time tickets (invitation acceptance, password reset): only a SHA-256 of the value is kept.
    await db.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('invitation', 'password-reset')),
        user_id uuid NOT NULL,
        invitation_id uuid REFERENCES invitations (id),
        token_hash bytea NOT NULL,
        created bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint,
        revoked_at bigint
      )`);
    await db.query(`CREATE UNIQUE INDEX uq_tickets_hash ON tickets (token_hash)`);
    await db.query(`CREATE INDEX ix_tickets_user ON tickets (user_id, kind) WHERE used_at IS NULL AND revoked_at IS NULL`);
    await db.query(`CREATE INDEX ix_tickets_invitation ON tickets (invitation_id) WHERE used_at IS NULL AND revoked_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE tickets`);
    await db.query(`DROP TABLE invitations`);
    await db.query(`DROP TABLE outbox_messages`);
  }
}
