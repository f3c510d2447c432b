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
