import { Injectable } from '@nestjs/common';
import {
  decodeCursor,
  NEXT_REV_SQL,
  Page,
  preparedStatement,
  registerUniqueConstraintCode,
  SqlBuilder,
  toPage,
  TransactionHost,
  valueTuples,
} from '@careid/shared';
import { confusableSkeleton } from '../domain/normalize';
import type { User, UserStatus } from '../domain/user';
import { ENCRYPTED_PREFIX, SecretCipher } from './secret-cipher';

registerUniqueConstraintCode(
  'uq_users_login_skeleton',
  'DUPLICATE_LOGIN',
  'A user with this login, or one that looks the same, already exists',
);

/** Columns a write may set, in the domain's words; the login's skeleton follows its key (see withSkeleton). */
export type UserColumns = Omit<User, 'authenticationTokens' | 'id'> & {
  loginKey: string;
  loginSkeleton?: string;
  emailKey: string | null;
};

const COLUMNS: Record<keyof UserColumns, string> = {
  rev: 'rev',
  created: 'created',
  modified: 'modified',
  deletionDate: 'deletion_date',
  name: 'name',
  properties: 'properties',
  permissions: 'permissions',
  roles: 'roles',
  type: 'type',
  status: 'status',
  login: 'login',
  loginKey: 'login_key',
  loginSkeleton: 'login_skeleton',
  passwordHash: 'password_hash',
  secret: 'secret',
  pendingSecret: 'pending_secret',
  totpLastStep: 'totp_last_step',
  use2fa: 'use2fa',
  groupId: 'group_id',
  healthcarePartyId: 'healthcare_party_id',
  patientId: 'patient_id',
  autoDelegations: 'auto_delegations',
  createdDate: 'created_date',
  termsOfUseDate: 'terms_of_use_date',
  email: 'email',
  emailKey: 'email_key',
  sharingDataWith: 'sharing_data_with',
  accessPolicy: 'access_policy',
  sessionVersion: 'session_version',
};
const JSON_COLUMNS = new Set(['properties', 'permissions', 'autoDelegations', 'sharingDataWith', 'accessPolicy']);

// One round trip per read: the user's live tokens come along as a JSON object (bench/baselines/ runs it too).
// Columns by name, not u.*: the by-id, by-login and by-email reads are prepared statements (see PreparedStatement).
export const SELECT_USER = `
  SELECT u.id, ${Object.values(COLUMNS)
    .map((column) => `u.${column}`)
    .join(', ')}, COALESCE((
    SELECT jsonb_object_agg(t.key, jsonb_build_object('creationTime', t.created, 'validity', (t.expires_at - t.created) / 1000))
    FROM user_tokens t WHERE t.user_id = u.id AND t.expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint
  ), '{}'::jsonb) AS authentication_tokens
  FROM users u`;

export const USER_BY_ID = preparedStatement('users.by-id', `${SELECT_USER} WHERE u.id = $1 AND u.deletion_date IS NULL`);
export const USER_BY_LOGIN_KEY = preparedStatement(
  'users.by-login-key',
  `${SELECT_USER} WHERE u.login_key = $1 AND u.deletion_date IS NULL`,
);
export const USER_BY_EMAIL_KEY = preparedStatement(
  'users.by-email-key',
  `${SELECT_USER} WHERE u.email_key = $1 AND u.deletion_date IS NULL`,
);

/**
 * What a login needs, in one round trip: the live user of a login key, the
 * key's lockout row (login_failures) and whether the attempted password is
 * one of that user's live authentication tokens ($2, its SHA-256, or null).
 */
const USER_FOR_LOGIN = preparedStatement(
  'users.for-login',
  `SELECT f.locked_until AS lock_until, f.login_key IS NOT NULL AS lock_has_failures,
          (SELECT t.expires_at FROM user_tokens t WHERE t.token_hash = $2 AND t.user_id = l.id AND t.expires_at > $3) AS token_expires_at,
          l.*
   FROM (SELECT $1::text AS login_key) k
   LEFT JOIN login_failures f ON f.login_key = k.login_key
   LEFT JOIN LATERAL (${SELECT_USER} WHERE u.login_key = k.login_key AND u.deletion_date IS NULL) l ON true`,
);

/** A login attempt's user (or null), the login's lock, and whether the attempted password is a live token of the user. */
export interface LoginCandidate {
  user: User | null;
  /** Epoch ms until which the login is locked (0: not locked). */
  lockedUntil: number;
  /** Failures are on record for the login (a success clears them). */
  hasFailures: boolean;
  /** The expiry (epoch ms) of the live login token the attempted password is, or null when it is none. */
  tokenExpiresAt: number | null;
}

export function toUser(row: Record<string, any>): User {
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: row.id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    deletionDate: number(row.deletion_date),
    name: row.name,
    properties: row.properties,
    permissions: row.permissions,
    roles: row.roles,
    type: row.type,
    status: row.status as UserStatus,
    login: row.login,
    passwordHash: row.password_hash,
    secret: row.secret,
    pendingSecret: row.pending_secret,
    totpLastStep: number(row.totp_last_step),
    use2fa: row.use2fa,
    groupId: row.group_id,
    healthcarePartyId: row.healthcare_party_id,
    patientId: row.patient_id,
    autoDelegations: row.auto_delegations,
    createdDate: number(row.created_date),
    termsOfUseDate: number(row.terms_of_use_date),
    email: row.email,
    sharingDataWith: row.sharing_data_with,
    accessPolicy: row.access_policy,
    sessionVersion: row.session_version,
    authenticationTokens: row.authentication_tokens ?? {},
  };
}

/** Every write of a login key writes its confusable skeleton too: uq_users_login_skeleton refuses look-alike logins. */
function withSkeleton<T extends Partial<UserColumns>>(columns: T): T {
  return columns.loginKey === undefined ? columns : { ...columns, loginSkeleton: confusableSkeleton(columns.loginKey) };
}

function toParam(field: string, value: unknown): unknown {
  return JSON_COLUMNS.has(field) && value !== null ? JSON.stringify(value) : value;
}

/** Columns kept encrypted at rest (SecretCipher): the services read and write them in clear. */
const ENCRYPTED_COLUMNS = { secret: 'users.secret', pendingSecret: 'users.pending_secret' } as const;
type EncryptedField = keyof typeof ENCRYPTED_COLUMNS;
const isEncryptedField = (field: string): field is EncryptedField => field in ENCRYPTED_COLUMNS;

export interface UserQuery {
  ids?: string[];
  patientId?: string;
  healthcarePartyId?: string;
  status?: UserStatus;
  /** Login or email prefix, already lower-cased. */
  prefix?: string;
}

/** SQL for users; the unique indexes on login_key and email_key are what keep logins and emails unique. */
@Injectable()
export class UsersRepository {
  constructor(
    private readonly tx: TransactionHost,
    private readonly cipher: SecretCipher,
  ) {}

  /** A row as the domain sees it: TOTP secrets opened (a value from before encryption is read as it is). */
  private readonly toUser = (row: Record<string, any>): User => {
    const user = toUser(row);
    if (user.secret !== null) user.secret = this.opened(user.id, 'secret', user.secret);
    if (user.pendingSecret !== null) user.pendingSecret = this.opened(user.id, 'pendingSecret', user.pendingSecret);
    return user;
  };

  private opened(userId: string, field: EncryptedField, stored: string): string {
    return SecretCipher.isEncrypted(stored) ? this.cipher.open(stored, `${ENCRYPTED_COLUMNS[field]}:${userId}`) : stored;
  }

  /** A column's parameter: JSON as text, TOTP secrets sealed for that user's row. */
  private param(userId: string, field: keyof UserColumns, value: unknown): unknown {
    if (isEncryptedField(field) && typeof value === 'string') return this.cipher.seal(value, `${ENCRYPTED_COLUMNS[field]}:${userId}`);
    return toParam(field, value);
  }

  async insert(id: string, input: UserColumns): Promise<User> {
    await this.insertMany([{ id, columns: input }]);
    return (await this.findById(id))!;
  }

  /** Several users in one statement (each with the same fields set); nothing is read back. */
  async insertMany(users: { id: string; columns: UserColumns }[]): Promise<void> {
    if (!users.length) return;
    const fields = Object.keys(withSkeleton(users[0].columns)) as (keyof UserColumns)[];
    const names = ['id', ...fields.map((field) => COLUMNS[field])];
    const params = users.flatMap(({ id, columns }) => {
      const row = withSkeleton(columns);
      return [id, ...fields.map((field) => this.param(id, field, row[field]))];
    });
    await this.tx.query(`INSERT INTO users (${names.join(', ')}) VALUES ${valueTuples(users.length, names.length)}`, params);
  }

  async findById(id: string): Promise<User | null> {
    const rows = await this.tx.query(USER_BY_ID, [id]);
    return rows.length ? this.toUser(rows[0]) : null;
  }

  /** See USER_FOR_LOGIN; `tokenHash` is the SHA-256 of the attempted password when it may be a token, else null. */
  async findForLogin(loginKey: string, tokenHash: Buffer | null): Promise<LoginCandidate> {
    const [row]: Record<string, any>[] = await this.tx.query(USER_FOR_LOGIN, [loginKey, tokenHash, Date.now()]);
    return {
      user: row.id ? this.toUser(row) : null,
      lockedUntil: Number(row.lock_until ?? 0),
      hasFailures: row.lock_has_failures,
      tokenExpiresAt: row.token_expires_at === null ? null : Number(row.token_expires_at),
    };
  }

  async findByLoginKey(loginKey: string): Promise<User | null> {
    const rows = await this.tx.query(USER_BY_LOGIN_KEY, [loginKey]);
    return rows.length ? this.toUser(rows[0]) : null;
  }

  async findByEmailKey(emailKey: string): Promise<User | null> {
    const rows = await this.tx.query(USER_BY_EMAIL_KEY, [emailKey]);
    return rows.length ? this.toUser(rows[0]) : null;
  }

  /** The live user a provider's subject is linked to. */
  async findByFederatedIdentity(provider: string, subject: string): Promise<User | null> {
    const rows = await this.tx.query(
      `${SELECT_USER} JOIN federated_identities f ON f.user_id = u.id WHERE f.provider = $1 AND f.subject = $2 AND u.deletion_date IS NULL`,
      [provider, subject],
    );
    return rows.length ? this.toUser(rows[0]) : null;
  }

  async findByPatientId(patientId: string): Promise<User | null> {
    const rows = await this.tx.query(`${SELECT_USER} WHERE u.patient_id = $1 AND u.deletion_date IS NULL`, [patientId]);
    return rows.length ? this.toUser(rows[0]) : null;
  }

  /** The patients of `patientIds` that a live user stands for. */
  async patientsWithUser(patientIds: string[]): Promise<string[]> {
    const rows: { patient_id: string }[] = await this.tx.query(
      'SELECT patient_id FROM users WHERE patient_id = ANY($1::uuid[]) AND deletion_date IS NULL',
      [patientIds],
    );
    return rows.map((row) => row.patient_id);
  }

  /** The keys of `keys` a live user has as its login or its email. */
  async takenKeys(keys: string[]): Promise<string[]> {
    const rows: { key: string }[] = await this.tx.query(
      `SELECT login_key AS key FROM users WHERE login_key = ANY($1::text[]) AND deletion_date IS NULL
       UNION SELECT email_key FROM users WHERE email_key = ANY($1::text[]) AND deletion_date IS NULL`,
      [keys],
    );
    return rows.map((row) => row.key);
  }

  async exists(id: string): Promise<boolean> {
    const rows = await this.tx.query('SELECT 1 FROM users WHERE id = $1 AND deletion_date IS NULL', [id]);
    return rows.length > 0;
  }

  /** Applies `changes` only if the row is live and still at `expectedRev`; null when it is not. */
  async updateIfRev(id: string, expectedRev: string, input: Partial<UserColumns>): Promise<User | null> {
    const changes = withSkeleton(input);
    const fields = Object.keys(changes) as (keyof UserColumns)[];
    const assignments = fields.map((field, i) => `${COLUMNS[field]} = $${i + 3}`);
    const values = [id, expectedRev, ...fields.map((field) => this.param(id, field, changes[field]))];
    const [, count] = await this.tx.query(
      `UPDATE users SET ${assignments.join(', ')} WHERE id = $1 AND rev = $2 AND deletion_date IS NULL`,
      values,
    );
    return count ? this.findById(id) : null;
  }

  /** Unconditional update of server-managed columns (2FA, session version). */
  async update(id: string, input: Partial<UserColumns>): Promise<void> {
    const changes = withSkeleton(input);
    const fields = Object.keys(changes) as (keyof UserColumns)[];
    const assignments = fields.map((field, i) => `${COLUMNS[field]} = $${i + 2}`);
    await this.tx.query(`UPDATE users SET ${assignments.join(', ')} WHERE id = $1`, [
      id,
      ...fields.map((field) => this.param(id, field, changes[field])),
    ]);
  }

  private where(query: UserQuery): SqlBuilder {
    const sql = new SqlBuilder('u.deletion_date IS NULL');
    if (query.ids) sql.where('u.id = ANY(?::uuid[])', query.ids);
    if (query.patientId) sql.where('u.patient_id = ?', query.patientId);
    if (query.healthcarePartyId) sql.where('u.healthcare_party_id = ?', query.healthcarePartyId);
    if (query.status) sql.where('u.status = ?', query.status);
    if (query.prefix !== undefined) {
      const pattern = `${query.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      sql.where('(u.login_key LIKE ? OR u.email_key LIKE ?)', pattern);
    }
    return sql;
  }

  async filter(query: UserQuery, limit: number, cursor?: string): Promise<Page<User>> {
    const sql = this.where(query);
    const [afterId] = (decodeCursor(cursor, ['string']) ?? []) as string[];
    if (afterId !== undefined) sql.where('u.id > ?::uuid', afterId);
    const rows = await this.tx.query(`${SELECT_USER} ${sql.whereClause} ORDER BY u.id LIMIT ${sql.param(limit + 1)}`, sql.params);
    return toPage(rows.map(this.toUser), limit, (user) => [user.id]);
  }

  async count(query: UserQuery): Promise<number> {
    const sql = this.where(query);
    const rows = await this.tx.query(`SELECT count(*)::int AS count FROM users u ${sql.whereClause}`, sql.params);
    return rows[0].count;
  }

  /** Marks the user deleted, bumping its rev and session version in the same statement. */
  async softDelete(id: string, now: number): Promise<{ id: string; rev: string } | null> {
    const rows = await this.tx.query(
      `UPDATE users SET deletion_date = $2, modified = $2, rev = ${NEXT_REV_SQL}, session_version = session_version + 1
       WHERE id = $1 AND deletion_date IS NULL RETURNING id, rev`,
      [id, now],
    );
    // TypeORM returns [rows, count] for UPDATE ... RETURNING
    const returned = Array.isArray(rows[0]) ? rows[0] : rows;
    return returned.length ? { id: returned[0].id, rev: returned[0].rev } : null;
  }

  /**
   * Seals every TOTP secret still stored in clear (rows from before encryption at rest), in one
   * transaction, and checks that DATA_ENCRYPTION_KEY opens those already sealed. Returns how many
   * rows it sealed.
   */
  async sealClearSecrets(): Promise<number> {
    return this.tx.run(async () => {
      const rows: { id: string; secret: string | null; pending_secret: string | null }[] = await this.tx.query(
        `SELECT id, secret, pending_secret FROM users
         WHERE secret NOT LIKE '${ENCRYPTED_PREFIX}%' OR pending_secret NOT LIKE '${ENCRYPTED_PREFIX}%' FOR UPDATE`,
      );
      for (const row of rows) {
        const changes: Partial<UserColumns> = {};
        if (row.secret !== null && !SecretCipher.isEncrypted(row.secret)) changes.secret = row.secret;
        if (row.pending_secret !== null && !SecretCipher.isEncrypted(row.pending_secret)) changes.pendingSecret = row.pending_secret;
        await this.update(row.id, changes);
      }
      const [sealed]: { id: string; secret: string }[] = await this.tx.query(
        `SELECT id, secret FROM users WHERE secret LIKE '${ENCRYPTED_PREFIX}%' LIMIT 1`,
      );
      try {
        if (sealed) this.opened(sealed.id, 'secret', sealed.secret);
      } catch {
        throw new Error('DATA_ENCRYPTION_KEY does not open the stored TOTP secrets: start with the key they were encrypted with');
      }
      return rows.length;
    });
  }

  async currentRev(id: string): Promise<string | null> {
    const rows = await this.tx.query('SELECT rev FROM users WHERE id = $1 AND deletion_date IS NULL', [id]);
    return rows.length ? rows[0].rev : null;
  }
}
