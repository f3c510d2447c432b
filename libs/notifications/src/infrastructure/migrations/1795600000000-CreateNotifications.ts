import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1795600000000 implements MigrationInterface {
  name = 'CreateNotifications1795600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY,
        rev text NOT NULL,
        created bigint NOT NULL,
        modified bigint NOT NULL,
        type text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ongoing', 'completed', 'cancelled')),
        responsible uuid,
        author uuid,
        recipient uuid NOT NULL,
        properties jsonb NOT NULL DEFAULT '{}'
      )`);
    // The caller's notifications, newest first.
    await db.query(`CREATE INDEX ix_notifications_recipient ON notifications (recipient, created DESC, id DESC)`);
    // One open request per (type, patient, practitioner): asking again does not duplicate it.
    await db.query(
      `CREATE UNIQUE INDEX uq_notifications_open_request ON notifications (type, responsible, recipient) WHERE status IN ('pending', 'ongoing')`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE notifications`);
  }
}
