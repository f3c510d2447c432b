import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sequence number per notification, the `id:` of its Server-Sent Event: a stream resumes after the last one its
 * client saw (Last-Event-ID). Creations for one recipient are serialised (NotificationsRepository.insertUnlessOpen),
 * so that for each recipient the numbers grow in the order the notifications become visible.
 */
export class NotificationSequence1796641700100 implements MigrationInterface {
  name = 'NotificationSequence1796641700100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications ADD COLUMN seq bigserial NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_notifications_recipient_seq ON notifications (recipient, recipient_kind, seq)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notifications DROP COLUMN seq`);
  }
}
