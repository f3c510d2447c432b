import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@careid/shared';
import type { AccessPolicy } from '../domain/access-policy';
import { ADMIN_ROLE, Principal } from '../domain/principal';

/** The NOTIFY channel every instance LISTENs on to evict a changed user. */
export const PRINCIPAL_CHANGED_CHANNEL = 'careid_principal_changed';

const PRINCIPAL_BY_USER_ID = preparedStatement(
  'users.principal',
  `SELECT id, login, roles, status, healthcare_party_id, patient_id, access_policy, auto_delegations, session_version
   FROM users WHERE id = $1 AND deletion_date IS NULL`,
);

/** The statements of the guard's principal: the user as a request sees it, and the news that it changed. */
@Injectable()
export class PrincipalsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The live, authenticatable principal for a user id, or null; read outside any transaction. */
  async load(userId: string): Promise<Principal | null> {
    const rows: Record<string, any>[] = await this.tx.queryOutsideTransaction(PRINCIPAL_BY_USER_ID, [userId]);
    const row = rows[0];
    if (!row || row.status === 'DISABLED') return null;
    return {
      userId: row.id,
      login: row.login,
      roles: row.roles,
      isAdmin: row.roles.includes(ADMIN_ROLE),
      healthcarePartyId: row.healthcare_party_id,
      patientId: row.patient_id,
      dataOwnerId: row.healthcare_party_id ?? row.patient_id ?? null,
      accessPolicy: row.access_policy as AccessPolicy | null,
      autoDelegations: row.auto_delegations ?? {},
      sessionVersion: row.session_version,
    };
  }

  /** NOTIFYs every instance, once the caller's transaction commits, that the user changed. */
  async announceChange(userId: string): Promise<void> {
    await this.tx.query('SELECT pg_notify($1, $2)', [PRINCIPAL_CHANGED_CHANNEL, userId]);
  }
}
