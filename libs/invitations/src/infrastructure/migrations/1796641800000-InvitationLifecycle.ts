import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * EXPIRED becomes a stored status (a sweep sets it), invitations can be renewed and resent, and they carry where the
 * invited person goes once done (`redirect_url`, `application_id`). A patient invitation keeps what its message was
 * made of (`login_url`, `solution_name`, `practitioner_id`), so that resending it sends the same message with a new
 * token; `validity_seconds` is the lifetime a resend gives again.
 */
export class InvitationLifecycle1796641800000 implements MigrationInterface {
  name = 'InvitationLifecycle1796641800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE invitations
        ADD COLUMN redirect_url text,
        ADD COLUMN application_id uuid,
        ADD COLUMN login_url text,
        ADD COLUMN solution_name text,
        ADD COLUMN practitioner_id uuid,
        ADD COLUMN validity_seconds integer`);
    await db.query(`UPDATE invitations SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at <= $1`, [Date.now()]);
    // What the sweep looks for: pending invitations by expiry.
    await db.query(`CREATE INDEX ix_invitations_pending_expiry ON invitations (expires_at) WHERE status = 'PENDING'`);
    // One pending invitation per user, whatever the channel (an SMS invitation has no email to be unique on).
    await db.query(`CREATE UNIQUE INDEX uq_invitations_pending_user ON invitations (user_id) WHERE status = 'PENDING'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX uq_invitations_pending_user`);
    await db.query(`DROP INDEX ix_invitations_pending_expiry`);
    await db.query(`
      ALTER TABLE invitations
        DROP COLUMN redirect_url,
        DROP COLUMN application_id,
        DROP COLUMN login_url,
        DROP COLUMN solution_name,
        DROP COLUMN practitioner_id,
        DROP COLUMN validity_seconds`);
  }
}
