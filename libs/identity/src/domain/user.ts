import { withoutUndefined } from '@careid/shared';
import type { AccessPolicy } from './access-policy';

export type UserStatus = 'ACTIVE' | 'DISABLED' | 'REGISTERING';

/** A user as the identity context holds it (secrets included: never sent out as is). */
export interface User {
  id: string;
  rev: string;
  created: number;
  modified: number;
  deletionDate: number | null;
  name: string | null;
  properties: Record<string, unknown>;
  permissions: unknown[];
  roles: string[];
  type: string;
  status: UserStatus;
  login: string;
  passwordHash: string | null;
  secret: string | null;
  pendingSecret: string | null;
  totpLastStep: number | null;
  use2fa: boolean;
  groupId: string;
  healthcarePartyId: string | null;
  patientId: string | null;
  autoDelegations: Record<string, string[]>;
  createdDate: number | null;
  termsOfUseDate: number | null;
  email: string | null;
  sharingDataWith: Record<string, unknown>;
  accessPolicy: AccessPolicy | null;
  sessionVersion: number;
  /** Live login tokens: key → creation time and validity (seconds). */
  authenticationTokens: Record<string, { creationTime: number; validity: number }>;
}

/** The JSON a client sees: iCure's shape, absent values left out, the password masked, secrets never. */
export function toUserView(user: User) {
  const view: Record<string, unknown> = {
    id: user.id,
    rev: user.rev,
    created: user.created,
    deletionDate: user.deletionDate ?? undefined,
    name: user.name ?? undefined,
    properties: user.properties,
    permissions: user.permissions,
    roles: user.roles,
    type: user.type,
    status: user.status,
    login: user.login,
    passwordHash: user.passwordHash ? '*' : undefined,
    use2fa: user.use2fa,
    groupId: user.groupId,
    healthcarePartyId: user.healthcarePartyId ?? undefined,
    patientId: user.patientId ?? undefined,
    autoDelegations: user.autoDelegations,
    createdDate: user.createdDate ?? undefined,
    termsOfUseDate: user.termsOfUseDate ?? undefined,
    email: user.email ?? undefined,
    authenticationTokens: user.authenticationTokens,
    sharingDataWith: user.sharingDataWith,
    accessPolicy: user.accessPolicy ?? undefined,
  };
  return withoutUndefined(view);
}
