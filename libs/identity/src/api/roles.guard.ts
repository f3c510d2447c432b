import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@careid/shared';
import type { Principal } from '../domain/principal';
import { REQUIRED_ROLES } from './current-user.decorator';

/** After the JWT guard: routes marked `@Roles(...)` need one of those roles (403 otherwise). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]);
    if (!roles?.length) return true;
    const user = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (user && roles.some((role) => user.roles.includes(role))) return true;
    throw DomainError.forbidden('FORBIDDEN', `This operation needs the role ${roles.join(' or ')}`);
  }
}
