import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from '../domain/principal';

/** The authenticated caller (set by AccessGuard). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ user: Principal }>().user;
});

export const REQUIRED_ROLES = 'careid:roles';

/** Only callers holding one of these roles get through (403 otherwise). */
export const Roles = (...roles: string[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Shorthand for `@Roles('ADMIN')`. */
export const AdminOnly = () => Roles('ADMIN');
