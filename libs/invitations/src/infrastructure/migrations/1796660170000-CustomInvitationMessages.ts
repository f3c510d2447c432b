import { MigrationInterface, QueryRunner } from 'typeorm';

/** A patient invitation sent with the caller's own message templates keeps them, so that a resend sends the same message. */
export class CustomInvitationMessages1796660170000 implements MigrationInterface {
  name = 'CustomInvitationMessages1796660170000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE invitations ADD COLUMN message_template jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE invitations DROP COLUMN message_template`);
  }
}
