import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, DomainError, TransactionHost } from '@careid/shared';
import type { UserTokenKind } from '../infrastructure/token.entities';
import { AuditTrail } from './audit-trail';

import { hashSecret, newSecret } from './secrets';

export interface CreatedToken {
  token: string;
  key: string;
  expiresAt: number;
}

export interface TokenInfo {
  key: string;
  kind: UserTokenKind;
  creationTime: number;
  validity: number;
  expiresAt: number;
}

/**
 * Authentication tokens (iCure's `createToken`): random values that work as
 * a password until they expire. Shown once, stored as SHA-256.
 */
@Injectable()
export class LoginTokensService {
  private readonly maxValiditySeconds: number;

  constructor(
    private readonly tx: TransactionHost,
    private readonly audit: AuditTrail,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.maxValiditySeconds = config.get('auth', { infer: true }).tokenMaxValiditySeconds;
  }

  /**
   * `maxValiditySeconds` is the configured bound unless the caller (activation) has its own. `notAfter` (epoch ms)
   * caps the expiry: a session opened with a token mints tokens that expire no later than that token.
   */
  async create(
    userId: string,
    validitySeconds: number,
    kind: UserTokenKind = 'temporary',
    maxValiditySeconds = this.maxValiditySeconds,
    notAfter: number | null = null,
  ): Promise<CreatedToken> {
    if (!Number.isInteger(validitySeconds) || validitySeconds < 1 || validitySeconds > maxValiditySeconds) {
      throw DomainError.invalid('INVALID_TOKEN_VALIDITY', `validitySeconds must be between 1 and ${maxValiditySeconds}`);
    }
    const token = newSecret();
    const key = randomUUID();
    const created = Date.now();
    const expiresAt = Math.min(created + validitySeconds * 1000, notAfter ?? Infinity);
    if (expiresAt <= created) throw DomainError.unauthenticated('SESSION_REVOKED', 'This session has ended; log in again');
    await this.tx.query(
      `INSERT INTO user_tokens (id, user_id, key, token_hash, kind, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [randomUUID(), userId, key, hashSecret(token), kind, created, expiresAt],
    );
    const validity = Math.round((expiresAt - created) / 1000);
    await this.audit.record({
      type: 'TOKEN_CREATED',
      targetType: 'User',
      targetId: userId,
      details: { key, kind, validitySeconds: validity },
    });
    return { token, key, expiresAt };
  }

  async list(userId: string): Promise<TokenInfo[]> {
    const rows: Record<string, any>[] = await this.tx.query(
      `SELECT key, kind, created, expires_at FROM user_tokens WHERE user_id = $1 AND expires_at > $2 ORDER BY created, key`,
      [userId, Date.now()],
    );
    return rows.map((row) => ({
      key: row.key,
      kind: row.kind,
      creationTime: Number(row.created),
      validity: Math.round((Number(row.expires_at) - Number(row.created)) / 1000),
      expiresAt: Number(row.expires_at),
    }));
  }

  async revoke(userId: string, key: string): Promise<void> {
    const [, count] = await this.tx.query('DELETE FROM user_tokens WHERE user_id = $1 AND key = $2', [userId, key]);
    if (!count) throw DomainError.notFound('TOKEN_NOT_FOUND', 'No such token');
    await this.audit.record({ type: 'TOKEN_REVOKED', targetType: 'User', targetId: userId, details: { key } });
  }

  /** Whether `token` is a live token of this user, without using it. */
  async isLive(userId: string, token: string): Promise<boolean> {
    const rows: unknown[] = await this.tx.query('SELECT 1 FROM user_tokens WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3', [
      hashSecret(token),
      userId,
      Date.now(),
    ]);
    return rows.length > 0;
  }

  /** Uses up a live token of this user (single use, also under concurrent calls). */
  async consume(userId: string, token: string): Promise<boolean> {
    const [, count] = await this.tx.query('DELETE FROM user_tokens WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3', [
      hashSecret(token),
      userId,
      Date.now(),
    ]);
    return count > 0;
  }
}
