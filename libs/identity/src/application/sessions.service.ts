import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { AppConfigService, AuthSettings, TransactionHost } from '@careid/shared';
import type { Principal } from '../domain/principal';
import { CredentialsRepository } from '../infrastructure/credentials.repository';
import { AuditRecord, AuditTrail } from './audit-trail';
import { CredentialLifecycle } from './credential-lifecycle.service';
import { PrincipalCache, PrincipalChangeListener } from './principal-cache';
import { hashSecret, newSecret } from './secrets';
import { identityError } from '../domain/identity.errors';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/** What an access JWT carries: the user, its session version (to refuse tokens after a change) and the session. */
export interface AccessClaims {
  sub: string;
  sv: number;
  sid: string;
}

export const JWT_ISSUER = 'careid';
export const JWT_AUDIENCE = 'careid-api';

/**
 * Login sessions: a short-lived access JWT plus a rotating refresh token.
 * Each login starts a family; a refresh retires the presented token and
 * issues the next one; presenting a retired token again revokes the family
 * (someone copied it). Idle and absolute lifetimes bound every family.
 */
@Injectable()
export class SessionsService {
  private readonly settings: AuthSettings;

  constructor(
    private readonly tx: TransactionHost,
    private readonly jwt: JwtService,
    private readonly audit: AuditTrail,
    private readonly principals: PrincipalCache,
    private readonly credentials: CredentialsRepository,
    private readonly lifecycle: CredentialLifecycle,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.settings = config.get('auth', { infer: true });
  }

  /**
   * Starts a session (a new refresh-token family) for the user; with `audit`, that event is written in the same
   * statement. A session opened with a login token keeps its expiry (`credentialExpiresAt`): it bounds what it mints.
   */
  async start(
    user: { id: string; sessionVersion: number },
    audit?: AuditRecord,
    credentialExpiresAt: number | null = null,
  ): Promise<TokenPair> {
    const familyId = randomUUID();
    const now = Date.now();
    const refreshToken = newSecret();
    await this.credentials.insertSession(
      { id: randomUUID(), familyId, userId: user.id, tokenHash: hashSecret(refreshToken), created: now, credentialExpiresAt },
      audit,
    );
    return this.pair(user.id, user.sessionVersion, familyId, refreshToken);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const rows = await this.credentials.refreshTokenByHash(hashSecret(refreshToken));
    const token = rows[0];
    // A lockout stops new logins only: the sessions already open keep refreshing.
    if (!token) throw identityError('INVALID_REFRESH_TOKEN');
    const now = Date.now();
    if (token.revoked_at !== null) {
      if (token.revoked_reason === 'rotated') await this.reuseDetected(token.family_id, token.user_id);
      throw identityError('INVALID_REFRESH_TOKEN');
    }
    if (token.deletion_date !== null || token.status !== 'ACTIVE') {
      await this.revokeFamily(token.family_id, token.user_id, 'user-changed');
      throw identityError('INVALID_REFRESH_TOKEN');
    }
    if (
      now - Number(token.created) > this.settings.refreshIdleSeconds * 1000 ||
      now - Number(token.family_created) > this.settings.refreshAbsoluteSeconds * 1000
    ) {
      await this.revokeFamily(token.family_id, token.user_id, 'expired');
      throw identityError('SESSION_EXPIRED');
    }
    // One statement retires the presented token and stores its successor, so it is atomic without a transaction: of
    // two concurrent refreshes with one token, one retires it and the other finds it retired (a reuse).
    const next = newSecret();
    const rotated = await this.credentials.rotateRefreshToken(token.id, now, randomUUID(), hashSecret(next));
    if (!rotated.length) {
      await this.reuseDetected(token.family_id, token.user_id);
      throw identityError('INVALID_REFRESH_TOKEN');
    }
    return this.pair(token.user_id, token.session_version, token.family_id, next);
  }

  /** Ends the session the refresh token belongs to (see CredentialLifecycle). Unknown tokens are ignored (nothing to reveal). */
  async logout(refreshToken: string): Promise<void> {
    const session = await this.credentials.sessionOfRefreshToken(hashSecret(refreshToken));
    if (!session) return;
    const { sessionId, userId } = session;
    await this.tx.run(async () => {
      await this.lifecycle.raise('logout', { userId, sessionId });
      await this.audit.record({ type: 'LOGOUT', targetType: 'User', targetId: userId, actorId: userId });
    });
  }

  /**
   * Whether the session a principal was authenticated with still holds: its
   * user live (not disabled or deleted) at the same session version, and the
   * session itself open, the same checks the guard makes on every request.
   * For what outlives a request, such as an event stream.
   */
  async isSessionCurrent(principal: Pick<Principal, 'userId' | 'sessionVersion'>, sessionId: string): Promise<boolean> {
    const live = await this.principals.get(principal.userId);
    if (!live || live.sessionVersion !== principal.sessionVersion) return false;
    return this.principals.isSessionLive(sessionId, principal.userId);
  }

  /** The expiry of the login token a session was opened with (epoch ms), or null for a session opened otherwise. */
  credentialExpiryOf(sessionId: string): Promise<number | null> {
    return this.credentials.sessionCredentialExpiry(sessionId);
  }

  /**
   * Calls `listener` with a user's id whenever that user changed, on any
   * instance (its sessions may have ended), or with null when changes may
   * have been missed. Returns the unsubscribe function.
   */
  onUserChanged(listener: PrincipalChangeListener): () => void {
    return this.principals.onChange(listener);
  }

  private async reuseDetected(familyId: string, userId: string): Promise<void> {
    await this.revokeFamily(familyId, userId, 'reuse');
    await this.audit.record({
      type: 'REFRESH_TOKEN_REUSED',
      outcome: 'denied',
      targetType: 'User',
      targetId: userId,
      actorId: userId,
      details: { familyId },
    });
  }

  /** Stands even though the caller then fails (the refresh it answers is refused). */
  private async revokeFamily(familyId: string, userId: string, reason: 'reuse' | 'expired' | 'user-changed'): Promise<void> {
    await this.credentials.revokeSession(familyId, reason, true);
    await this.principals.userChanged(userId);
  }

  private async pair(userId: string, sessionVersion: number, familyId: string, refreshToken: string): Promise<TokenPair> {
    const claims: AccessClaims = { sub: userId, sv: sessionVersion, sid: familyId };
    const accessToken = await this.jwt.signAsync(claims, {
      expiresIn: this.settings.accessTokenSeconds,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithm: 'HS256',
    });
    return { accessToken, refreshToken, expiresIn: this.settings.accessTokenSeconds, tokenType: 'Bearer' };
  }
}
