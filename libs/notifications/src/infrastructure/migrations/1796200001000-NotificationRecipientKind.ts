import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notification names its recipient's kind of data owner beside its id, so that the reader must match both: an id
 * alone would let a patient read a practitioner's notifications if the two ever shared an id.
 */
export class NotificationRecipientKind1796200001000 implements MigrationInterface {
  name = 'NotificationRecipientKind1796200001000';

  async up(db: QueryRunner): Promise<void> {
    // Every notification so far went to a practitioner (the delegates of a patient that are practitioners).
    await db.query(`
      ALTER TABLE notifications
        ADD COLUMN recipient_kind text NOT NULL DEFAULT 'practitioner'
          CONSTRAINT ck_notifications_recipient_kind CHECK (recipient_kind IN ('patient', 'practitioner'))`);
    await db.query(`ALTER TABLE notifications ALTER COLUMN recipient_kind DROP DEFAULT`);
    await db.query(`DROP INDEX ix_notifications_recipient`);
    await db.query(`CREATE INDEX ix_notifications_recipient ON notifications (recipient, recipient_kind, created DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ix_notifications_recipient`);
    await db.query(`CREATE INDEX ix_notifications_recipient ON notifications (recipient, created DESC, id DESC)`);
    await db.query(`ALTER TABLE notifications DROP COLUMN recipient_kind`);
  }
}
