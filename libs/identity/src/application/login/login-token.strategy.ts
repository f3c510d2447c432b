import { Injectable } from '@nestjs/common';
import type { LoginCandidate } from './login-method';
import { LoginMethodStrategy } from './login-method';
import { LoginRules } from './login-rules';
import { PasswordAttempt, PasswordLogins } from './password-logins';

/**
 * A live login token (`POST /users/:id/tokens`, activation's long-lived token) in place of the password, as the
 * seeds have it: its SHA-256 matched one of the user's live tokens in the login's one lookup, so no bcrypt runs.
 * Anything else is not a token: the password method tries next. The session it opens keeps the token's expiry.
 */
@Injectable()
export class LoginTokenStrategy extends LoginMethodStrategy<PasswordAttempt> {
  readonly method = 'login-token';
  readonly refusedWith = 'INVALID_CREDENTIALS';

  constructor(
    rules: LoginRules,
    private readonly logins: PasswordLogins,
  ) {
    super(rules);
  }

  async find(attempt: PasswordAttempt): Promise<LoginCandidate | null> {
    const login = await this.logins.of(attempt);
    if (!login.user || login.tokenExpiresAt === null) return null;
    return { ...PasswordLogins.candidate(login, attempt), credentialExpiresAt: login.tokenExpiresAt };
  }

  async prove(): Promise<boolean> {
    return true;
  }
}
