import { Injectable } from '@nestjs/common';
import { CREDENTIAL_LIFECYCLE, CredentialEvent } from '../domain/credential-lifecycle';
import { identifierKey } from '../domain/normalize';
import { CredentialsRepository } from '../infrastructure/credentials.repository';
import { LoginTokensRepository } from '../infrastructure/login-tokens.repository';
import { AuditTrail } from './audit-trail';
import { LockoutService } from './lockout.service';
import { PrincipalCache } from './principal-cache';
import { Tickets } from './tickets';

export interface CredentialEventContext {
  userId: string;
  /** Needed by the events that clear the lockout. */
  login?: string;
  /** The session the event came through (the access JWT's `sid`), for `this` and `others`. */
  sessionId?: string | null;
}

/**
 * The one place that ends credentials. A flow raises an event; this applies
 * its row of CREDENTIAL_LIFECYCLE: sessions (and so their access tokens and
 * notification streams), login tokens, unused reset links
 * and the lockout. Joins the caller's transaction; every instance hears of it
 * through the principal cache's NOTIFY once it commits.
 */
@Injectable()
export class CredentialLifecycle {
  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly loginTokens: LoginTokensRepository,
    private readonly principals: PrincipalCache,
    private readonly lockout: LockoutService,
    private readonly audit: AuditTrail,
    private readonly tickets: Tickets,
  ) {}

  async raise(event: CredentialEvent, { userId, login, sessionId = null }: CredentialEventContext): Promise<void> {
    const ends = CREDENTIAL_LIFECYCLE[event];
    if (ends.sessions === 'this') {
      if (sessionId) await this.credentials.revokeSession(sessionId, event);
    } else if (ends.sessions !== 'none') {
      await this.credentials.revokeSessionsOf(userId, event, ends.sessions === 'others' ? sessionId : null);
    }
    if (ends.loginTokens) await this.loginTokens.deleteAllOf(userId);
    if (ends.clearsLockout && login) await this.lockout.recordSuccess(identifierKey(login));
    if (ends.resetTickets) await this.tickets.revokeForUser(userId, 'password-reset');
    await this.principals.userChanged(userId);
    await this.audit.record({
      type: 'CREDENTIALS_ENDED',
      targetType: 'User',
      targetId: userId,
      details: { event, sessions: ends.sessions, loginTokens: ends.loginTokens, resetTickets: ends.resetTickets },
    });
  }
}
