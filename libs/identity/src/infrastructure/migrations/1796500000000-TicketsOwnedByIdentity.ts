import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One-time tickets are credentials: identity owns them (password reset among them). The ticket of an invitation
 * names it by id without a foreign key into the invitations context, whose invitations are never deleted.
 */
export class TicketsOwnedByIdentity1796500000000 implements MigrationInterface {
  name = 'TicketsOwnedByIdentity1796500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tickets DROP CONSTRAINT tickets_invitation_id_fkey`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tickets ADD CONSTRAINT tickets_invitation_id_fkey FOREIGN KEY (invitation_id) REFERENCES invitations (id)`);
  }
}
