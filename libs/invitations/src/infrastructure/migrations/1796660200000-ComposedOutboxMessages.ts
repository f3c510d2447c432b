import { MigrationInterface, QueryRunner } from 'typeorm';

/** An email is stored as it will go out (RFC 5322), composed when queued: delivery only transmits it. */
export class ComposedOutboxMessages1796660200000 implements MigrationInterface {
  name = 'ComposedOutboxMessages1796660200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_messages ADD COLUMN mime_body text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_messages DROP COLUMN mime_body`);
  }
}
