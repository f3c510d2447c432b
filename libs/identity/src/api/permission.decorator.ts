import { SetMetadata } from '@nestjs/common';
import type { Action, Resource } from '../domain/permissions';

export const REQUIRED_PERMISSION = 'careid:permission';

export interface RequiredPermission {
  resource: Resource;
  action: Action;
}

/**
 * The caller's role and access policy must allow `action` on `resource`
 * (403 otherwise, recorded in the audit trail as denied: see AccessGuard).
 * Which records it may touch is the owning context's business (404 for the others).
 */
export const RequiresPermission = (resource: Resource, action: Action) =>
  SetMetadata(REQUIRED_PERMISSION, { resource, action } satisfies RequiredPermission);
