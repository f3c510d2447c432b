import { Injectable } from '@nestjs/common';
import passport from 'passport';
import { identityError } from '../../domain/identity.errors';
import type { TokenPair } from '../sessions.service';
import { FederatedIdTokenStrategy } from './federated-id-token.strategy';
import type { LoginMethodName, LoginMethodStrategy } from './login-method';
import { LoginTokenStrategy } from './login-token.strategy';
import { PasswordStrategy } from './password.strategy';

/**
 * The app's login methods, each a passport strategy registered on this
 * app's own Authenticator. A login route names the methods it accepts, in
 * order: passport tries each until one applies (the login token before the
 * password, so that a live token skips bcrypt); the one that applies opens
 * the session or refuses, through LoginRules.
 */
@Injectable()
export class LoginMethods {
  private readonly passport = new passport.Authenticator();

  constructor(password: PasswordStrategy, loginToken: LoginTokenStrategy, federatedIdToken: FederatedIdTokenStrategy) {
    for (const strategy of [password, loginToken, federatedIdToken] as LoginMethodStrategy<unknown>[])
      this.passport.use(strategy.method, strategy);
  }

  /** The session `request.body` opens through the first of `methods` that applies to it; 401 when none does. */
  authenticate(methods: readonly LoginMethodName[], request: { body: unknown }): Promise<TokenPair> {
    return new Promise((resolve, reject) => {
      const callback = (error: unknown, session: TokenPair | false) => {
        if (error) reject(error);
        else if (session) resolve(session);
        else reject(identityError('INVALID_CREDENTIALS'));
      };
      // No session middleware, no redirects: passport only runs the strategies and calls back.
      const next = (error?: unknown) => reject(error ?? identityError('INVALID_CREDENTIALS'));
      this.passport.authenticate([...methods], { session: false }, callback)(request, {}, next);
    });
  }
}
