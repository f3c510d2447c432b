import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService, JwtVerifyOptions } from '@nestjs/jwt';
import { DomainError, requestContext } from '@careid/shared';
import { PrincipalCache } from '../application/principal-cache';
import { AccessClaims, JWT_AUDIENCE, JWT_ISSUER } from '../application/sessions.service';
import type { Principal } from '../domain/principal';
import { IS_PUBLIC } from './public.decorator';

/** HS256 only (`alg: none` and others are refused), our issuer and audience, not expired. */
const VERIFY_OPTIONS: JwtVerifyOptions = { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE, ignoreExpiration: false };

/** `Authorization: Bearer <token>`, the scheme in any case (as passport-jwt's fromAuthHeaderAsBearerToken read it). */
const AUTHORIZATION = /(\S+)\s+(\S+)/;

const unauthenticated = () =>
  DomainError.unauthenticated('UNAUTHENTICATED', 'A valid access token is required (Authorization: Bearer <token>)');

/**
 * The global guard: every route needs a valid access JWT unless marked
 * `@Public()`. It checks the token (JwtService, whose secret is a KeyObject
 * built once), then that its user is still live and its session version
 * current, so a password or role change, a disable or a delete takes effect
 * at once.
 *
 * It does what passport-jwt behind @nestjs/passport's AuthGuard did, with the
 * same answers, without passport's per-request machinery (a strategy object,
 * closures and promises per request: about 5% of an authenticated GET).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly principals: PrincipalCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: Principal }>();
    request.user = await this.authenticate(request.headers.authorization);
    return true;
  }

  private async authenticate(header: unknown): Promise<Principal> {
    const parts = typeof header === 'string' ? AUTHORIZATION.exec(header) : null;
    if (!parts || parts[1].toLowerCase() !== 'bearer') throw unauthenticated();
    let claims: AccessClaims;
    try {
      claims = this.jwt.verify<AccessClaims & object>(parts[2], VERIFY_OPTIONS);
    } catch (error) {
      if ((error as Error)?.name === 'TokenExpiredError')
        throw DomainError.unauthenticated('ACCESS_TOKEN_EXPIRED', 'The access token has expired; refresh it');
      throw unauthenticated();
    }
    try {
      return await this.principalOf(claims);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw unauthenticated();
    }
  }

  private async principalOf(claims: AccessClaims): Promise<Principal> {
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
