import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { TransactionHost } from '@careid/shared';
import type { Principal } from '../domain/principal';
import type { User } from '../domain/user';
import { PrincipalsRepository } from '../infrastructure/principals.repository';
import { AuditTrail } from './audit-trail';
import { CredentialLifecycle } from './credential-lifecycle.service';
import { ID_TOKEN_TYPE } from '../domain/federation';
import type { TokenExchangeAttempt } from './login/federated-id-token.strategy';
import type { LoginMethodName } from './login/login-method';
import { LoginMethods } from './login/login-methods';
import type { PasswordAttempt } from './login/password-logins';
import { CreatedToken, LoginTokensService } from './login-tokens.service';
import { AccessClaims, SessionsService, TokenPair } from './sessions.service';
import { StreamTickets } from './stream-tickets';
import { TicketKind, Tickets, TicketState, ticketError } from './tickets';
import { UsersService } from './users.service';

/** What a one-time ticket sets a password for: an invitation also activates the user; a reset never changes its status. */
export type TicketPurpose = 'invitation' | 'password-reset';

/**
 * Identity's one face for the credential steps other contexts drive: the
 * token of a patient invitation, the one-time ticket of a profile invitation,
 * and a password chosen through a ticket followed by a session. Each step
 * joins the caller's transaction.
 */
@Injectable()
export class Credentials {
  constructor(
    private readonly users: UsersService,
    private readonly loginTokens: LoginTokensService,
    private readonly sessions: SessionsService,
    private readonly tickets: Tickets,
    private readonly streamTickets: StreamTickets,
    private readonly loginMethods: LoginMethods,
    private readonly lifecycle: CredentialLifecycle,
    private readonly audit: AuditTrail,
    private readonly jwt: JwtService,
    private readonly tx: TransactionHost,
    private readonly principals: PrincipalsRepository,
  ) {}

  /** The principal a user acts as now (as the guard would load it), or null when it can no longer authenticate. */
  principalOf(userId: string): Promise<Principal | null> {
    return this.principals.load(userId);
  }

  /** The short-lived token an invited patient activates its account with (iCure's createAndInviteUser). */
  issueInvitationToken(userId: string, validitySeconds: number): Promise<CreatedToken> {
    return this.loginTokens.create(userId, validitySeconds, 'invitation');
  }

  /** An invitation token for each of `userIds` (a bulk invitation's batch), in the caller's transaction. */
  issueInvitationTokens(userIds: string[], validitySeconds: number): Promise<CreatedToken[]> {
    return this.loginTokens.createMany(userIds, validitySeconds, 'invitation');
  }

  /** A one-time ticket that lets the invited user choose its password (Oystehr's invite link). */
  issueInvitationTicket(userId: string, expiresInSeconds: number, invitationId: string): Promise<{ ticket: string; expiresAt: number }> {
    return this.tickets.issue('invitation', userId, expiresInSeconds, invitationId);
  }

  /**
   * A one-time ticket (30 s) that opens the caller's notification stream in place of its access token, for a
   * browser's EventSource; the stream belongs to the caller's session and ends when that access token expires.
   */
  issueStreamTicket(actor: Principal, session: { id: string; accessExpiresAt: number }): Promise<{ ticket: string; expiresAt: number }> {
    return this.streamTickets.issue(actor, session);
  }

  /** What a ticket of either kind is, without using it; null when it is unknown. */
  inspectTicket(ticket: string): Promise<TicketState | null> {
    return this.tickets.inspect(ticket);
  }

  /** Uses an invitation's ticket, or throws why it cannot be used (410 used, expired or revoked; 400 unknown). */
  consumeInvitationTicket(ticket: string): Promise<{ userId: string; invitationId: string | null }> {
    return this.tickets.consume(ticket, 'invitation');
  }

  revokeInvitationTickets(invitationId: string): Promise<void> {
    return this.tickets.revokeForInvitation(invitationId);
  }

  /**
   * Ends every invitation credential of the user not used yet, whichever invitation issued it: its invitation tokens
   * (patient activation) and its invitation tickets (set-password link). An invitation renewed or revoked.
   */
  async revokeInvitationCredentials(userId: string): Promise<void> {
    await this.loginTokens.revokeInvitationTokens(userId);
    await this.tickets.revokeForUser(userId, 'invitation');
  }

  /**
   * Before a ticket's transaction: the new password must pass the rules, and bcrypt runs here, not while the ticket
   * row is locked. A ticket that cannot be used is refused now with its reason. No lockout check: the ticket is the
   * proof (256 random bits), and a locked login must still be able to reset.
   */
  async hashPasswordForTicket(ticket: string, kind: TicketKind, password: string): Promise<string> {
    const state = await this.tickets.inspect(ticket);
    if (!state || state.kind !== kind) throw ticketError(null);
    if (state.state !== 'usable') throw ticketError(state.state);
    const user = await this.users.findById(state.userId);
    if (!user) throw ticketError('revoked');
    return this.users.hashNewPassword(user.id, password);
  }

  /** Sets a password hashed by `hashNewPassword` once the ticket is used; ends what the purpose ends. */
  setPasswordWithTicket(userId: string, passwordHash: string, purpose: TicketPurpose): Promise<User> {
    return this.users.setPasswordWithTicket(userId, passwordHash, purpose);
  }

  /** Opens a session for a user who just set its password. */
  openSession(user: User): Promise<TokenPair> {
    return this.sessions.start(user);
  }

  /**
   * Checks a login exactly as `POST /auth/login` does (password or live login token, lockout, status, TOTP) and opens
   * a session, for another front door: the OpenID provider's sign-in page, whose tokens carry this session.
   */
  signIn(attempt: PasswordAttempt): Promise<{ userId: string; sessionId: string }> {
    return this.sessionOf(['login-token', 'password'], attempt);
  }

  /**
   * Signs in with an ID token the sign-in page got from an external provider's token endpoint (FederatedSignIn), exactly
   * as `POST /auth/token-exchange` would, and checking that it carries the nonce of Careid's request.
   */
  signInWithIdToken(attempt: {
    provider: string;
    idToken: string;
    nonce: string;
    totp?: string;
  }): Promise<{ userId: string; sessionId: string }> {
    const { provider, idToken, nonce, totp } = attempt;
    const body: TokenExchangeAttempt = { provider, subjectToken: idToken, subjectTokenType: ID_TOKEN_TYPE, nonce, totp };
    return this.sessionOf(['federated-id-token'], body);
  }

  private async sessionOf(methods: LoginMethodName[], body: unknown): Promise<{ userId: string; sessionId: string }> {
    const { accessToken } = await this.loginMethods.authenticate(methods, { body });
    const { sub, sid } = this.jwt.decode<AccessClaims>(accessToken);
    return { userId: sub, sessionId: sid };
  }

  /** Ends one session by its id, as `POST /auth/logout` does with its refresh token (the OpenID provider's logout). */
  async endSession(userId: string, sessionId: string): Promise<void> {
    await this.tx.run(async () => {
      await this.lifecycle.raise('logout', { userId, sessionId });
      await this.audit.record({ type: 'LOGOUT', targetType: 'User', targetId: userId, actorId: userId });
    });
  }
}
