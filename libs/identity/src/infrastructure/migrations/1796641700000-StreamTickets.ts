import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One-time tickets that open a notification stream from a browser (EventSource cannot send a header). A ticket
 * belongs to the session that asked for it and lives 30 s; only its SHA-256 is kept, and using it deletes it.
 * No foreign key to users: like refresh tokens, a ticket must not lock the user row (RefreshTokensWithoutUserLock).
 */
export class StreamTickets1796641700000 implements MigrationInterface {
  name = 'StreamTickets1796641700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stream_tickets (
        token_hash bytea NOT NULL CONSTRAINT stream_tickets_pkey PRIMARY KEY,
        user_id uuid NOT NULL,
        session_id text NOT NULL,
        session_version integer NOT NULL,
        access_expires_at bigint NOT NULL,
        created bigint NOT NULL,
        expires_at bigint NOT NULL
      )`);
    await db.query(`CREATE INDEX ix_stream_tickets_expires ON stream_tickets (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stream_tickets`);
  }
}
