import { AccessPolicy } from './access-policy';

export const ADMIN_ROLE = 'ADMIN';

/** The authenticated caller, as the JWT guard puts it on each request. */
export interface Principal {
  userId: string;
  login: string;
  roles: string[];
  isAdmin: boolean;
  /** The practitioner this user stands for, if any. */
  healthcarePartyId: string | null;
  /** The patient this user stands for, if any. */
  patientId: string | null;
  /** The data owner (practitioner or patient) whose delegations this user uses. */
  dataOwnerId: string | null;
  accessPolicy: AccessPolicy | null;
  /** `{ all: [dataOwnerId, ...] }`: delegates added to every record this user creates. */
  autoDelegations: Record<string, string[]>;
  sessionVersion: number;
}
