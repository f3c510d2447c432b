/**
 * Baseline for the authenticated read: a bare node:http server that does
 * what `GET /api/v1/users/:id` must do and nothing else: check the bearer
 * JWT (same secret, HS256, issuer and audience, a KeyObject built once, the
 * same jsonwebtoken library passport-jwt uses), run the same SQL through a
 * `pg` pool of the same size, and write the same JSON.
 */
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { toUserView, User } from '../../libs/identity/src/domain/user';
import { SELECT_USER } from '../lib/sql';

const env = process.env;
const key = createSecretKey(Buffer.from(env.JWT_SECRET!, 'utf8'));
const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.DB_POOL_SIZE ?? 10), application_name: 'careid-bench-bare' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// UsersRepository.findById's statement.
const SELECT_USER_BY_ID = `${SELECT_USER} WHERE u.id = $1 AND u.deletion_date IS NULL`;

function toUser(row: Record<string, any>): User {
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
    status: row.status,
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

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/ready') return send(200, { status: 'ok' });
  const match = /^\/users\/([^/?]+)$/.exec(req.url ?? '');
  if (!match || !UUID.test(match[1])) return send(404, { status: 404 });
  const header = req.headers.authorization ?? '';
  let claims: { sub?: unknown };
  try {
    if (!header.startsWith('Bearer ')) throw new Error('no token');
    claims = jwt.verify(header.slice(7), key as unknown as string, {
      algorithms: ['HS256'],
      issuer: 'careid',
      audience: 'careid-api',
    }) as { sub?: unknown };
  } catch {
    return send(401, { status: 401 });
  }
  if (claims.sub !== match[1]) return send(404, { status: 404 });
  pool.query(SELECT_USER_BY_ID, [match[1].toLowerCase()]).then(
    (result) => (result.rows.length ? send(200, toUserView(toUser(result.rows[0]))) : send(404, { status: 404 })),
    () => send(503, { status: 503 }),
  );
});
server.keepAliveTimeout = 72_000;
server.listen(Number(env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
  server.closeAllConnections();
});
