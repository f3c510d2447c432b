import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '../password-hasher';
import type { LoginCandidate } from './login-method';
import { LoginMethodStrategy } from './login-method';
import { LoginRules } from './login-rules';
import { PasswordAttempt, PasswordLogins } from './password-logins';

/**
 * The password (bcrypt, on libuv's thread pool), then the TOTP step for users with 2FA. A login that matches
 * no user costs the same bcrypt work and gets the same answer.
 */
@Injectable()
export class PasswordStrategy extends LoginMethodStrategy<PasswordAttempt> {
  readonly method = 'password';
  readonly refusedWith = 'INVALID_CREDENTIALS';

  constructor(
    rules: LoginRules,
    private readonly logins: PasswordLogins,
    private readonly hasher: PasswordHasher,
  ) {
    super(rules);
  }

  async find(attempt: PasswordAttempt): Promise<LoginCandidate> {
    return PasswordLogins.candidate(await this.logins.of(attempt), attempt);
  }

  prove(attempt: PasswordAttempt, { user }: LoginCandidate): Promise<boolean> {
    return user?.passwordHash
      ? this.hasher.verify(attempt.password, user.passwordHash)
      : this.hasher.verifyAgainstNothing(attempt.password);
  }
}
