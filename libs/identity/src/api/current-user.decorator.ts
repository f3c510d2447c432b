import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from '../domain/principal';

/** The authenticated caller (set by AccessGuard). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});

/** The session a request came through: the access JWT's `sid` and expiry (epoch ms). */
export interface CallerSession {
  id: string;
  accessExpiresAt: number;
}

/** The caller's session (set by AccessGuard). */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): CallerSession => {
  return context.switchToHttp().getRequest<{ session: CallerSession }>().session;
});

export const REQUIRED_ROLES = 'careid:roles';

/** Only callers holding one of these roles get through (403 otherwise). */
export const Roles = (...roles: string[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Shorthand for `@Roles('ADMIN')`. */
export const AdminOnly = () => Roles('ADMIN');
