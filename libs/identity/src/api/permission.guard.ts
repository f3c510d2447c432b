import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@careid/shared';
import { AuditTrail } from '../application/audit-trail';
import { Action, auditTypeFor, principalMay, Resource } from '../domain/permissions';
import type { Principal } from '../domain/principal';

export const REQUIRED_PERMISSION = 'careid:permission';

export interface RequiredPermission {
  resource: Resource;
  action: Action;
}

/**
 * The caller's role and access policy must allow `action` on `resource`
 * (403 otherwise, recorded in the audit trail as denied). Which records it
 * may touch is the owning context's business (404 for the others).
 */
export const RequiresPermission = (resource: Resource, action: Action) =>
  SetMetadata(REQUIRED_PERMISSION, { resource, action } satisfies RequiredPermission);

/** After the JWT guard: enforces `@RequiresPermission` on every route that carries it. */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditTrail,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<RequiredPermission | undefined>(REQUIRED_PERMISSION, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    const request = context.switchToHttp().getRequest<{ user?: Principal; params?: Record<string, string> }>();
    if (request.user && principalMay(request.user, required.resource, required.action)) return true;
    const targetId = request.params?.id;
    await this.audit.record({
      type: auditTypeFor(required.resource, required.action),
      outcome: 'denied',
      targetType: required.resource,
      targetId: typeof targetId === 'string' ? targetId.slice(0, 100) : null,
      details: { reason: 'role-or-access-policy' },
    });
    throw DomainError.forbidden('FORBIDDEN', `Your role or access policy does not allow ${required.action} on ${required.resource}`);
  }
}
