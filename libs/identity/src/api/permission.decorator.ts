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

export const SELF_ONLY = 'careid:self-only';

/**
 * The route acts on the caller itself only (`/users/current`, its own
 * notifications): it needs a valid access token and names no resource, so
 * no access policy rule applies. Which records it shows is the service's
 * business. Every route declares this, `@RequiresPermission(...)` or
 * `@Public()` (RouteAccessCheck refuses to start otherwise).
 */
export const SelfOnly = () => SetMetadata(SELF_ONLY, true);
