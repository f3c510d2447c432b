import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { identifierKey } from '@careid/identity';

/**
 * Invitation emails are keyed like users' (NFKC and full case folding, see RekeyIdentifiers1796300000000). Two
 * pending invitations whose emails now share a key: the older keeps it, the newer gets a key of its own and is
 * reported (audit event IDENTIFIER_COLLISION and the start-up log) for an admin to revoke.
 */
export class RekeyInvitationEmails1796300001000 implements MigrationInterface {
  name = 'RekeyInvitationEmails1796300001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX uq_invitations_pending_email`);
    const rows: { id: string; email: string; email_key: string; pending: boolean }[] = await db.query(
      `SELECT id, email, email_key, status = 'PENDING' AS pending FROM invitations WHERE email IS NOT NULL ORDER BY created, id`,
    );
    const pendingOwners = new Map<string, string>();
    const updates: { id: string; key: string }[] = [];
    for (const row of rows) {
      let key = identifierKey(row.email);
      const owner = row.pending ? pendingOwners.get(key) : undefined;
      if (row.pending && owner === undefined) pendingOwners.set(key, row.id);
      if (owner !== undefined) {
        new Logger(this.name).warn(`Invitation ${row.id}: email "${row.email}" now equals that of pending invitation ${owner}`);
        await db.query(
          `INSERT INTO audit_events (occurred, type, outcome, target_type, target_id, details)
           VALUES ($1, 'IDENTIFIER_COLLISION', 'failure', 'Invitation', $2, $3)`,
          [Date.now(), row.id, JSON.stringify({ table: 'invitations', id: row.id, field: 'email', value: row.email, collidesWith: owner })],
        );
        key = `${key}\u0001${row.id}`;
      }
      if (key !== row.email_key) updates.push({ id: row.id, key });
    }
    for (let i = 0; i < updates.length; i += 1000) {
      const batch = updates.slice(i, i + 1000);
      await db.query(
        `UPDATE invitations i SET email_key = v.email_key FROM unnest($1::uuid[], $2::text[]) AS v(id, email_key) WHERE i.id = v.id`,
        [batch.map((u) => u.id), batch.map((u) => u.key)],
      );
    }
    await db.query(
      `CREATE UNIQUE INDEX uq_invitations_pending_email ON invitations (email_key) WHERE status = 'PENDING' AND email_key IS NOT NULL`,
    );
  }

  async down(): Promise<void> {
    // Keys stay in the new form: the old lower-casing cannot be told apart from it afterwards.
  }
}
