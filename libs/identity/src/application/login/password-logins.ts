import { Injectable } from '@nestjs/common';
import { identifierKey } from '../../domain/normalize';
import { LoginCandidate as LoginRow, UsersRepository } from '../../infrastructure/users.repository';
import { hashSecret, SECRET_SHAPE } from '../secrets';

/** `POST /auth/login`'s body, as both its methods read it: the password may be a live login token. */
export interface PasswordAttempt {
  login: string;
  password: string;
  totp?: string;
}

export interface PasswordLogin extends LoginRow {
  loginKey: string;
}

/**
 * What a password or token login needs, read once per attempt in one round trip (the login's lock, its user and
 * whether the password is one of that user's live tokens), whichever of the two methods asks first.
 */
@Injectable()
export class PasswordLogins {
  private readonly read = new WeakMap<PasswordAttempt, Promise<PasswordLogin>>();

  constructor(private readonly users: UsersRepository) {}

  of(attempt: PasswordAttempt): Promise<PasswordLogin> {
    let login = this.read.get(attempt);
    if (!login) {
      const loginKey = identifierKey(attempt.login);
      // A token is cheap to check (SHA-256 and an index): asked along whenever the password has a token's shape.
      const tokenHash = SECRET_SHAPE.test(attempt.password) ? hashSecret(attempt.password) : null;
      login = this.users.findForLogin(loginKey, tokenHash).then((row) => ({ ...row, loginKey }));
      this.read.set(attempt, login);
    }
    return login;
  }

  /** The candidate of a password or token login: its user, and the lock its failures count against. */
  static candidate(login: PasswordLogin, attempt: PasswordAttempt) {
    return {
      user: login.user,
      lock: { loginKey: login.loginKey, lockedUntil: login.lockedUntil, hasFailures: login.hasFailures },
      asksTotp: true,
      totp: attempt.totp,
    };
  }
}
