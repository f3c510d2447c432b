/**
 * The bench's own copy of the statements the measured routes run, and of the
 * rows' mapping, so that the bare baseline does the same database work as the
 * app without importing the app's repositories. A copy can drift: the bench
 * checks, before it measures, that the bare server answers with the app's
 * JSON for the same user and patient (bench/lib/parity.ts).
 *
 * From libs/identity/src/infrastructure/users.repository.ts (USER_BY_ID, toUser),
 * libs/patients/src/infrastructure/patients.repository.ts (PATIENT_BY_ID, toPatient)
 * and the identity context's audit trail (INSERT_AUDIT_EVENT).
 */
import type { User } from '@careid/identity';
import type { Patient } from '@careid/patients';

/** A named statement: `pg` prepares it once per connection, as the app's PreparedStatement does. */
export interface Statement {
  name: string;
  text: string;
}

const USER_COLUMNS = [
  'id, rev, created, modified, deletion_date, name, properties, permissions, roles, type, status, login, login_key',
  'login_skeleton, password_hash, secret, pending_secret, totp_last_step, use2fa, group_id, healthcare_party_id',
  'patient_id, auto_delegations, created_date, terms_of_use_date, email, email_key, sharing_data_with, access_policy',
  'session_version',
]
  .join(', ')
  .split(', ')
  .map((column) => `u.${column}`)
  .join(', ');

/** The app's user read: every column, and the user's live tokens as one JSON object. */
export const SELECT_USER = `
  SELECT ${USER_COLUMNS}, COALESCE((
    SELECT jsonb_object_agg(t.key, jsonb_build_object('creationTime', t.created, 'validity', (t.expires_at - t.created) / 1000))
    FROM user_tokens t WHERE t.user_id = u.id AND t.expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
  ), '{}'::jsonb) AS authentication_tokens
  FROM users u`;

export const USER_BY_ID: Statement = { name: 'users.by-id', text: `${SELECT_USER} WHERE u.id = $1 AND u.deletion_date IS NULL` };

export const PATIENT_BY_ID: Statement = {
  name: 'patients.by-id',
  text: `
  SELECT p.id, p.rev, p.created, p.modified, p.deletion_date, p.author, p.responsible, p.ssin, p.date_of_birth, p.document,
    p.system_meta_data, ARRAY(SELECT d.data_owner_id::text FROM patient_delegations d WHERE d.patient_id = p.id ORDER BY 1) AS delegations FROM patients p WHERE p.id = $1 AND p.deletion_date IS NULL`,
};

export const INSERT_AUDIT_EVENT: Statement = {
  name: 'audit.insert-event',
  text: `INSERT INTO audit_events (occurred, type, outcome, actor_id, actor_login, target_type, target_id, ip, request_id, details)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
};

const nullableNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

export function toUser(row: Record<string, any>): User {
  return {
    id: row.id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    deletionDate: nullableNumber(row.deletion_date),
    name: row.name,
    properties: row.properties,
    permissions: row.permissions,
    roles: row.roles,
    type: row.type,
    status: row.status,
    login: row.login,
    passwordHash: row.password_hash,
    secret: row.secret,
    pendingSecret: row.pending_secret,
    totpLastStep: nullableNumber(row.totp_last_step),
    use2fa: row.use2fa,
    groupId: row.group_id,
    healthcarePartyId: row.healthcare_party_id,
    patientId: row.patient_id,
    autoDelegations: row.auto_delegations,
    createdDate: nullableNumber(row.created_date),
    termsOfUseDate: nullableNumber(row.terms_of_use_date),
    email: row.email,
    sharingDataWith: row.sharing_data_with,
    accessPolicy: row.access_policy,
    sessionVersion: row.session_version,
    authenticationTokens: row.authentication_tokens ?? {},
  };
}

/** A patient's system metadata with every key present, in iCure's order (jsonb keeps keys in its own order). */
function emptySystemMetaData() {
  return {
    hcPartyKeys: {},
    privateKeyShamirPartitions: {},
    secretForeignKeys: [],
    cryptedForeignKeys: {},
    delegations: {},
    encryptionKeys: {},
    aesExchangeKeys: {},
    transferKeys: {},
    securityMetadata: { secureDelegations: {}, keysEquivalences: {} },
    publicKeysForOaepWithSha256: [],
    tags: {},
  };
}

export function toPatient(row: Record<string, any>): Patient {
  return {
    ...row.document,
    id: row.id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    deletionDate: row.deletion_date === null ? null : Number(row.deletion_date),
    author: row.author,
    responsible: row.responsible,
    ssin: row.ssin,
    dateOfBirth: row.date_of_birth,
    systemMetaData: { ...emptySystemMetaData(), ...row.system_meta_data },
    delegations: row.delegations,
  };
}
