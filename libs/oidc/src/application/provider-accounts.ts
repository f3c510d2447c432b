import { Injectable } from '@nestjs/common';
import { Credentials, SessionsService, User, UsersService } from '@careid/identity';
import { LinkKind, SessionLink, SessionLinksRepository } from '../infrastructure/session-links.repository';

/** What oidc-provider's findAccount returns: the subject and its claims; `careid` is the session tokens carry. */
export interface ProviderAccount {
  accountId: string;
  careid?: { sessionId: string; sessionVersion: number };
  claims(): Record<string, unknown>;
}

/** The ID token's and userinfo's claims of a user: `sub` is the user id, the data owner it stands for as patient / practitioner. */
export function claimsOf(user: User): Record<string, unknown> {
  return {
    sub: user.id,
    name: user.name ?? user.login,
    preferred_username: user.login,
    ...(user.email ? { email: user.email } : {}),
    ...(user.patientId ? { patient: user.patientId } : {}),
    ...(user.healthcarePartyId ? { practitioner: user.healthcarePartyId } : {}),
  };
}

/**
 * Binds the provider to Careid sessions. A sign-in at the hosted page opens
 * a Careid session (a refresh-token family, as `POST /auth/login` does); the
 * provider session and each grant made in it are linked to it, and every
 * token the provider issues carries it (`sid`). So the credential lifecycle
 * (logout, password reset, a disabled user) ends provider tokens as it ends
 * Careid's own, and ending a provider session or grant ends its Careid session.
 */
@Injectable()
export class ProviderAccounts {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly credentials: Credentials,
    private readonly links: SessionLinksRepository,
  ) {}

  /**
   * findAccount: the user, if it may still sign in; with a grant (a code, a refresh or access token being used), only
   * while the Careid session behind that grant holds.
   */
  async find(userId: string, grantId?: string): Promise<ProviderAccount | undefined> {
    const user = await this.users.findById(userId);
    if (!user) return undefined;
    const account: ProviderAccount = { accountId: user.id, claims: () => claimsOf(user) };
    if (grantId === undefined) return account;
    const link = await this.links.find('grant', grantId);
    if (!link || link.userId !== user.id || !(await this.isLive(link, user))) return undefined;
    return { ...account, careid: { sessionId: link.sessionId, sessionVersion: user.sessionVersion } };
  }

  link(kind: LinkKind, id: string, link: SessionLink, expiresAt: number): Promise<void> {
    return this.links.link(kind, id, link, expiresAt);
  }

  /** The Careid session behind a provider sign-in session, while it holds. */
  async liveSessionOf(sessionUid: string): Promise<SessionLink | null> {
    const link = await this.links.find('session', sessionUid);
    return link && (await this.isLive(link)) ? link : null;
  }

  /** Ends the Careid sessions behind these provider sessions and grants (a logout, a revoked or reused grant). */
  async end(sessionUids: string[], grantIds: string[]): Promise<void> {
    const found = [...(await this.links.findMany('session', sessionUids)), ...(await this.links.findMany('grant', grantIds))];
    const unique = new Map(found.map((link) => [link.sessionId, link]));
    for (const link of unique.values()) await this.credentials.endSession(link.userId, link.sessionId);
  }

  private async isLive(link: SessionLink, known?: User): Promise<boolean> {
    const user = known ?? (await this.users.findById(link.userId));
    return !!user && this.sessions.isSessionCurrent({ userId: user.id, sessionVersion: user.sessionVersion }, link.sessionId);
  }
}
