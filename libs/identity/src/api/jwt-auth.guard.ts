import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, translateDatabaseError } from '@careid/shared';
import { IS_PUBLIC } from './public.decorator';

/** The global guard: every route needs a valid access JWT unless marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T, info?: { name?: string }): T {
    if (error instanceof DomainError) throw error;
    // The session check could not reach the database: that is an outage (503), not bad credentials.
    const unavailable = error ? translateDatabaseError(error) : undefined;
    if (unavailable) throw unavailable;
    if (info?.name === 'TokenExpiredError')
      throw DomainError.unauthenticated('ACCESS_TOKEN_EXPIRED', 'The access token has expired; refresh it');
    if (error || !user)
      throw DomainError.unauthenticated('UNAUTHENTICATED', 'A valid access token is required (Authorization: Bearer <token>)');
    return user;
  }
}
