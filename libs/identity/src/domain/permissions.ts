import { policyAllows, PolicyAction, PolicyResource } from './access-policy';
import type { Principal } from './principal';

export type Resource = Exclude<PolicyResource, '*'>;
export type Action = Exclude<PolicyAction, '*'>;

/** What a user stands for decides what its role may ever do; delegations then decide on which records. */
export type RoleKind = 'admin' | 'practitioner' | 'patient' | 'plain';

const EVERY_ACTION: Action[] = ['read', 'create', 'update', 'delete'];

/**
 * The role half of authorization, in one table. Admins may do everything.
 * Practitioners may update only their own practitioner record, and read or
 * write patients and medical records only where they hold a delegation
 * (checked by the patients context). Patient users only ever read. Every
 * role may act on `User`: identity's own rules then narrow it to the caller
 * itself unless it is an admin (a user may always mint its own login token),
 * and an access policy denying `User` still refuses it.
 */
const ROLE_PERMISSIONS: Record<Exclude<RoleKind, 'admin'>, Partial<Record<Resource, Action[]>>> = {
  practitioner: {
    User: EVERY_ACTION,
    Practitioner: ['read', 'update'],
    Patient: EVERY_ACTION,
    DataSample: EVERY_ACTION,
    HealthcareElement: EVERY_ACTION,
  },
  patient: { User: EVERY_ACTION, Practitioner: ['read'], Patient: ['read'], DataSample: ['read'], HealthcareElement: ['read'] },
  plain: { User: EVERY_ACTION, Practitioner: ['read'] },
};

export function roleKindOf(principal: Principal): RoleKind {
  if (principal.isAdmin) return 'admin';
  if (principal.healthcarePartyId) return 'practitioner';
  if (principal.patientId) return 'patient';
  return 'plain';
}

/** Whether the caller's role allows `action` on `resource` and its access policy, when it has one, does not narrow it away. */
export function principalMay(principal: Principal, resource: Resource, action: Action): boolean {
  const kind = roleKindOf(principal);
  const roleAllows = kind === 'admin' || (ROLE_PERMISSIONS[kind][resource]?.includes(action) ?? false);
  return roleAllows && policyAllows(principal.accessPolicy, resource, action);
}

const AUDIT_VERB: Record<Action, string> = { read: 'READ', create: 'CREATED', update: 'MODIFIED', delete: 'DELETED' };

/** The audit event type of an action on a resource (`Patient`, `read` → `PATIENT_READ`; `DataSample`, `update` → `DATA_SAMPLE_MODIFIED`). */
export function auditTypeFor(resource: Resource, action: Action): string {
  return `${resource.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_${AUDIT_VERB[action]}`;
}
