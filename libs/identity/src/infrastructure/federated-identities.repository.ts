import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@careid/shared';
import type { FederatedIdentity } from '../domain/federation';

/** The statements of users' accounts at identity providers (`federated_identities`). */
@Injectable()
export class FederatedIdentitiesRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Links a provider's subject to a user; false when the subject is already linked or the user already has an
   * account at that provider (of two concurrent first logins, one links and the other finds it done).
   */
  async link(id: string, identity: FederatedIdentity): Promise<boolean> {
    const inserted: unknown[] = await this.tx.query(
      `INSERT INTO federated_identities (id, provider, subject, user_id, email, created) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [id, identity.provider, identity.subject, identity.userId, identity.email, identity.created],
    );
    return inserted.length > 0;
  }

  /** The subject the user has at the provider, or null. */
  async subjectOf(userId: string, provider: string): Promise<string | null> {
    const rows: { subject: string }[] = await this.tx.query(
      'SELECT subject FROM federated_identities WHERE user_id = $1 AND provider = $2',
      [userId, provider],
    );
    return rows.length ? rows[0].subject : null;
  }

  async listOf(userId: string): Promise<FederatedIdentity[]> {
    const rows: Record<string, any>[] = await this.tx.query(
      'SELECT provider, subject, user_id, email, created FROM federated_identities WHERE user_id = $1 ORDER BY provider',
      [userId],
    );
    return rows.map((row) => ({
      provider: row.provider,
      subject: row.subject,
      userId: row.user_id,
      email: row.email,
      created: Number(row.created),
    }));
  }

  /** Returns whether there was a link to remove. */
  async unlink(userId: string, provider: string): Promise<boolean> {
    const [, count] = await this.tx.query('DELETE FROM federated_identities WHERE user_id = $1 AND provider = $2', [userId, provider]);
    return count > 0;
  }

  /** Removes every link at a provider; returns how many there were. */
  async unlinkAllAt(provider: string): Promise<number> {
    const [, count] = await this.tx.query('DELETE FROM federated_identities WHERE provider = $1', [provider]);
    return count;
  }

  /** A deleted user's accounts are free to link again (users are soft-deleted: the foreign key's cascade does not fire). */
  async unlinkAll(userId: string): Promise<void> {
    await this.tx.query('DELETE FROM federated_identities WHERE user_id = $1', [userId]);
  }
}
