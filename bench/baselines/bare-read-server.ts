/**
 * Baseline for the authenticated reads: a bare node:http server that does
 * what `GET /api/v1/users/:id` and `GET /api/v1/patients/:id` must do and
 * nothing else: check the bearer JWT (same secret, HS256, issuer and
 * audience, a KeyObject built once, the jsonwebtoken library the app's
 * guard uses through @nestjs/jwt, a verified token remembered until it
 * expires as the guard remembers it), run the app's statements (the bench's
 * copy, statements.ts) through a `pg` pool of the same size, prepared where the
 * app prepares them, and write the same JSON with the contexts' public views.
 * No framework, no logging, no validation beyond the id's shape.
 */
import 'reflect-metadata';
import { randomUUID, createSecretKey } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';
import { toUserView } from '@careid/identity';
import { toPatientView } from '@careid/patients';
import { INSERT_AUDIT_EVENT, PATIENT_BY_ID, toPatient, toUser, USER_BY_ID } from './statements';
import { VerifiedTokens } from './verified-tokens';

const env = process.env;
const key = createSecretKey(Buffer.from(env.JWT_SECRET!, 'utf8'));
const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.DB_POOL_SIZE ?? 10), application_name: 'careid-bench-bare' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's login and data owner by user id, loaded once: the app's guard caches its principals too. */
const callers = new Map<string, Promise<{ login: string; dataOwnerId: string | null } | null>>();
function callerOf(userId: string) {
  let caller = callers.get(userId);
  if (!caller) {
    caller = pool
      .query('SELECT login, COALESCE(healthcare_party_id, patient_id)::text AS data_owner_id FROM users WHERE id = $1', [userId])
      .then(({ rows }) => (rows.length ? { login: rows[0].login, dataOwnerId: rows[0].data_owner_id } : null));
    callers.set(userId, caller);
  }
  return caller;
}

/** A repository's prepared statement, run as the app's pool runs it outside a transaction (prepared once per connection). */
function run(statement: { name: string; text: string }, values: unknown[]) {
  return pool.query({ name: statement.name, text: statement.text, values });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Tokens already verified, until they expire: the app's guard keeps them the same way (VerifiedTokens). */
const verified = new VerifiedTokens();

function subjectOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7);
  const known = verified.get(token);
  if (known) return known.sub;
  try {
    const claims = jwt.verify(token, key as unknown as string, {
      algorithms: ['HS256'],
      issuer: 'careid',
      audience: 'careid-api',
    }) as { sub?: unknown; sv?: unknown; sid?: unknown; exp?: unknown };
    if (typeof claims.sub !== 'string' || typeof claims.sv !== 'number' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number')
      return undefined;
    verified.remember(token, { sub: claims.sub, sv: claims.sv, sid: claims.sid, exp: claims.exp });
    return claims.sub;
  } catch {
    return undefined;
  }
}

async function getUser(res: ServerResponse, sub: string, id: string): Promise<void> {
  if (sub !== id) return send(res, 404, { status: 404 });
  const { rows } = await run(USER_BY_ID, [id]);
  return rows.length ? send(res, 200, toUserView(toUser(rows[0]))) : send(res, 404, { status: 404 });
}

/** The patient if the caller's data owner is one of its delegates; the read is audited as the app audits it. */
async function getPatient(req: IncomingMessage, res: ServerResponse, sub: string, id: string): Promise<void> {
  const caller = await callerOf(sub);
  const { rows } = await run(PATIENT_BY_ID, [id]);
  const patient = rows.length ? toPatient(rows[0]) : null;
  if (!caller || !patient || !caller.dataOwnerId || !patient.delegations.includes(caller.dataOwnerId))
    return send(res, 404, { status: 404 });
  const requestId = randomUUID();
  await run(INSERT_AUDIT_EVENT, [
    Date.now(),
    'PATIENT_READ',
    'success',
    sub,
    caller.login,
    'Patient',
    id,
    req.socket.remoteAddress,
    requestId,
    '{}',
  ]);
  res.setHeader('x-request-id', requestId);
  return send(res, 200, toPatientView(patient));
}

const server = createServer((req, res) => {
  if (req.url === '/ready') return send(res, 200, { status: 'ok' });
  const match = /^\/(users|patients)\/([^/?]+)$/.exec(req.url ?? '');
  if (!match || !UUID.test(match[2])) return send(res, 404, { status: 404 });
  const sub = subjectOf(req);
  if (!sub) return send(res, 401, { status: 401 });
  const id = match[2].toLowerCase();
  (match[1] === 'users' ? getUser(res, sub, id) : getPatient(req, res, sub, id)).catch(() => send(res, 503, { status: 503 }));
});
server.keepAliveTimeout = 72_000;
server.listen(Number(env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
  server.closeAllConnections();
});
