import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService } from '@careid/shared';
import { LoginTokensRepository, NewLoginToken } from '../infrastructure/login-tokens.repository';
import type { UserTokenKind } from '../infrastructure/token.entities';
import { AuditRecord, AuditTrail } from './audit-trail';
import { hashSecret, newSecret } from './secrets';
import { identityError } from '../domain/identity.errors';

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
    private readonly tokens: LoginTokensRepository,
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
    assertValidity(validitySeconds, maxValiditySeconds);
    const created = Date.now();
    const expiresAt = Math.min(created + validitySeconds * 1000, notAfter ?? Infinity);
    if (expiresAt <= created) throw identityError('SESSION_REVOKED');
    const token = newToken(userId, kind, created, expiresAt);
    await this.tokens.insert(token.row);
    await this.audit.record(tokenCreated(token.row));
    return token.created;
  }

  /** One token of `kind` for each of `userIds` (a bulk invitation's batch), written and audited together. */
  async createMany(userIds: string[], validitySeconds: number, kind: UserTokenKind): Promise<CreatedToken[]> {
    assertValidity(validitySeconds, this.maxValiditySeconds);
    const created = Date.now();
    const tokens = userIds.map((userId) => newToken(userId, kind, created, created + validitySeconds * 1000));
    await this.tokens.insertMany(tokens.map((token) => token.row));
    await this.audit.recordMany(tokens.map((token) => tokenCreated(token.row)));
    return tokens.map((token) => token.created);
  }

  async list(userId: string): Promise<TokenInfo[]> {
    const rows = await this.tokens.liveOf(userId, Date.now());
    return rows.map((row) => ({
      key: row.key,
      kind: row.kind,
      creationTime: row.created,
      validity: Math.round((row.expiresAt - row.created) / 1000),
      expiresAt: row.expiresAt,
    }));
  }

  async revoke(userId: string, key: string): Promise<void> {
    if (!(await this.tokens.deleteByKey(userId, key))) throw identityError('TOKEN_NOT_FOUND');
    await this.audit.record({ type: 'TOKEN_REVOKED', targetType: 'User', targetId: userId, details: { key } });
  }

  /** Ends the user's invitation tokens (an invitation renewed or revoked). */
  async revokeInvitationTokens(userId: string): Promise<void> {
    await this.tokens.deleteOfKind(userId, 'invitation');
  }

  /** Whether `token` is a live token of this user, without using it. */
  async isLive(userId: string, token: string): Promise<boolean> {
    return this.tokens.isLive(userId, hashSecret(token), Date.now());
  }

  /** Uses up a live token of this user (single use, also under concurrent calls). */
  async consume(userId: string, token: string): Promise<boolean> {
    return this.tokens.consume(userId, hashSecret(token), Date.now());
  }
}

function assertValidity(validitySeconds: number, maxValiditySeconds: number): void {
  if (!Number.isInteger(validitySeconds) || validitySeconds < 1 || validitySeconds > maxValiditySeconds) {
    throw identityError('INVALID_TOKEN_VALIDITY', `validitySeconds must be between 1 and ${maxValiditySeconds}`);
  }
}

/** A new token: its row (the secret hashed) and what the caller shows once. */
function newToken(userId: string, kind: UserTokenKind, created: number, expiresAt: number): { row: NewLoginToken; created: CreatedToken } {
  const token = newSecret();
  const key = randomUUID();
  return {
    row: { id: randomUUID(), userId, key, tokenHash: hashSecret(token), kind, created, expiresAt },
    created: { token, key, expiresAt },
  };
}

function tokenCreated(row: NewLoginToken): AuditRecord {
  const validitySeconds = Math.round((row.expiresAt - row.created) / 1000);
  return { type: 'TOKEN_CREATED', targetType: 'User', targetId: row.userId, details: { key: row.key, kind: row.kind, validitySeconds } };
}
