import { Injectable } from '@nestjs/common';
import type { User } from '../domain/user';
import { CreatedToken, LoginTokensService } from './login-tokens.service';
import { SessionsService, TokenPair } from './sessions.service';
import { UsersService } from './users.service';

/** What a one-time ticket sets a password for: an invitation also activates the user; a reset never changes its status. */
export type TicketPurpose = 'invitation' | 'password-reset';

/**
 * Identity's one face for the credential steps other contexts drive: the
 * token of a patient invitation, and a password chosen through a one-time
 * ticket followed by a session. Each step joins the caller's transaction.
 */
@Injectable()
export class Credentials {
  constructor(
    private readonly users: UsersService,
    private readonly loginTokens: LoginTokensService,
    private readonly sessions: SessionsService,
  ) {}

  /** The short-lived token an invited patient activates its account with (iCure's createAndInviteUser). */
  issueInvitationToken(userId: string, validitySeconds: number): Promise<CreatedToken> {
    return this.loginTokens.create(userId, validitySeconds, 'invitation');
  }

  /** Checks a new password against the rules and hashes it: run it before the ticket's transaction (bcrypt is slow). */
  hashNewPassword(userId: string, password: string): Promise<string> {
    return this.users.hashNewPassword(userId, password);
  }

  /** Sets a password hashed by `hashNewPassword` once the ticket is used; ends what the purpose ends. */
  setPasswordWithTicket(userId: string, passwordHash: string, purpose: TicketPurpose): Promise<User> {
    return this.users.setPasswordWithTicket(userId, passwordHash, purpose);
  }

  /** Opens a session for a user who just set its password. */
  openSession(user: User): Promise<TokenPair> {
    return this.sessions.start(user);
  }
}
