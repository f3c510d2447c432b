import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfigService, DomainError, requestContext } from '@careid/shared';
import { PrincipalCache } from '../application/principal-cache';
import { AccessClaims, JWT_AUDIENCE, JWT_ISSUER } from '../application/sessions.service';
import type { Principal } from '../domain/principal';

/**
 * Checks the access JWT (HS256 only: `alg: none` and others are refused),
 * then that its user is still live and its session version current, so a
 * password or role change, a disable or a delete takes effect at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly principals: PrincipalCache,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject built once: a string secret would be re-derived on every verification.
      secretOrKey: createSecretKey(Buffer.from(config.get('auth', { infer: true }).jwtSecret, 'utf8')) as unknown as string,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessClaims): Promise<Principal> {
    if (typeof claims.sub !== 'string' || typeof claims.sv !== 'number') {
      throw DomainError.unauthenticated('INVALID_ACCESS_TOKEN', 'The access token is not valid');
    }
    const principal = await this.principals.get(claims.sub);
    if (!principal || principal.sessionVersion !== claims.sv) {
      throw DomainError.unauthenticated('SESSION_REVOKED', 'This session has ended; log in again');
    }
    requestContext.setActor(principal.userId, principal.login);
    return principal;
  }
}
