import { Injectable } from '@nestjs/common';
import { TransactionHost, valueTuples } from '@careid/shared';
import type { UserTokenKind } from './token.entities';

export interface NewLoginToken {
  id: string;
  userId: string;
  key: string;
  tokenHash: Buffer;
  kind: UserTokenKind;
  created: number;
  expiresAt: number;
}

export interface LoginTokenRow {
  key: string;
  kind: UserTokenKind;
  created: number;
  expiresAt: number;
}

/** The statements of authentication tokens (`user_tokens`), stored as SHA-256. */
@Injectable()
export class LoginTokensRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(token: NewLoginToken): Promise<void> {
    await this.insertMany([token]);
  }

  /** Several tokens in one statement. */
  async insertMany(tokens: NewLoginToken[]): Promise<void> {
    if (!tokens.length) return;
    await this.tx.query(
      `INSERT INTO user_tokens (id, user_id, key, token_hash, kind, created, expires_at) VALUES ${valueTuples(tokens.length, 7)}`,
      tokens.flatMap((token) => [token.id, token.userId, token.key, token.tokenHash, token.kind, token.created, token.expiresAt]),
    );
  }

  /** The user's tokens live at `now`, oldest first. */
  async liveOf(userId: string, now: number): Promise<LoginTokenRow[]> {
    const rows: Record<string, any>[] = await this.tx.query(
      `SELECT key, kind, created, expires_at FROM user_tokens WHERE user_id = $1 AND expires_at > $2 ORDER BY created, key`,
      [userId, now],
    );
    return rows.map((row) => ({ key: row.key, kind: row.kind, created: Number(row.created), expiresAt: Number(row.expires_at) }));
  }

  /** Returns whether the token existed. */
  async deleteByKey(userId: string, key: string): Promise<boolean> {
    const [, count] = await this.tx.query('DELETE FROM user_tokens WHERE user_id = $1 AND key = $2', [userId, key]);
    return !!count;
  }

  async isLive(userId: string, tokenHash: Buffer, now: number): Promise<boolean> {
    const rows: unknown[] = await this.tx.query('SELECT 1 FROM user_tokens WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3', [
      tokenHash,
      userId,
      now,
    ]);
    return rows.length > 0;
  }

  /** Deletes a live token of this user; false when there was none (so one of concurrent calls wins). */
  async consume(userId: string, tokenHash: Buffer, now: number): Promise<boolean> {
    const [, count] = await this.tx.query('DELETE FROM user_tokens WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3', [
      tokenHash,
      userId,
      now,
    ]);
    return count > 0;
  }

  async deleteOfKind(userId: string, kind: UserTokenKind): Promise<void> {
    await this.tx.query('DELETE FROM user_tokens WHERE user_id = $1 AND kind = $2', [userId, kind]);
  }

  async deleteAllOf(userId: string): Promise<void> {
    await this.tx.query('DELETE FROM user_tokens WHERE user_id = $1', [userId]);
  }
}
