import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox messages are claimed in batches by a delivery worker, whose key goes into `claim_owner` while it sends them
 * (see OutboxClaims), instead of being locked by a transaction held open while each is sent.
 */
export class ClaimOutboxMessagesInBatches1796660190000 implements MigrationInterface {
  name = 'ClaimOutboxMessagesInBatches1796660190000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_messages ADD COLUMN claim_owner integer`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_messages DROP COLUMN claim_owner`);
  }
}
