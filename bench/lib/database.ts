import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '@careid/shared';
import { ROOT } from './processes';
import { SELECT_USER } from '../baselines/statements';

/** The bench only ever creates, fills or drops databases whose name says they are its own. */
const BENCH_NAME = /^careid_bench[a-z0-9_]*$/;

export interface BenchServer {
  /** URL of a database on the server, by name. */
  urlFor(database: string): string;
  /** The main database's name (`careid_bench` unless DATABASE_URL names another careid_bench* one). */
  mainName: string;
  embedded?: EmbeddedPostgres;
  stop(): Promise<void>;
}

function assertBenchName(name: string): void {
  if (!BENCH_NAME.test(name)) throw new Error(`Refusing to touch database "${name}": bench databases are named careid_bench*`);
}

/** DATABASE_URL's server when it is set, else an embedded PostgreSQL whose data (and the 1M users) persist in .data/bench-postgres. */
export async function openBenchServer(databaseUrl: string | undefined, log: (line: string) => void): Promise<BenchServer> {
  if (databaseUrl) {
    const given = new URL(databaseUrl);
    const named = decodeURIComponent(given.pathname.replace(/^\//, ''));
    const mainName = BENCH_NAME.test(named) ? named : 'careid_bench';
    const urlFor = (database: string) => {
      const url = new URL(databaseUrl);
      url.pathname = `/${database}`;
      return url.toString();
    };
    return { urlFor, mainName, stop: async () => undefined };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: join(ROOT, '.data', 'bench-postgres'), log });
  return { urlFor: (database) => embedded.urlFor(database), mainName: 'careid_bench', embedded, stop: () => embedded.stop() };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'careid-bench-setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function maintenanceUrl(server: BenchServer): string {
  return server.urlFor('postgres');
}

export async function recreateDatabase(server: BenchServer, name: string): Promise<void> {
  assertBenchName(name);
  await withClient(maintenanceUrl(server), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
}

export async function ensureDatabase(server: BenchServer, name: string): Promise<void> {
  assertBenchName(name);
  await withClient(maintenanceUrl(server), async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  });
}

export async function serverVersion(url: string): Promise<string> {
  return withClient(url, async (client) => (await client.query('SHOW server_version')).rows[0].server_version);
}

/** Login, email and id of the n-th generated user (1-based), as typed by a client: mixed case on purpose. */
export function generatedUser(n: number): { login: string; email: string } {
  return { login: `Bench-User-${n}`, email: `Bench.User.${n}@Bench.Careid.Test` };
}

/**
 * Users 1..count made by SQL (generate_series), not the API: every NOT NULL
 * column filled, login_key/email_key lower-cased as the app computes them,
 * so the unique indexes are built and used. SQL cannot compute a confusable
 * skeleton: a unique stand-in fills login_skeleton (only its index's size
 * matters here; the API never creates a login of that shape). Adds only the missing tail, then
 * ANALYZEs. Returns how many were added.
 */
export async function seedGeneratedUsers(url: string, count: number, passwordHash: string, groupId = 'default'): Promise<number> {
  const name = new URL(url).pathname.slice(1);
  assertBenchName(name);
  return withClient(url, async (client) => {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM users WHERE login_key LIKE 'bench-user-%'`);
    const existing: number = rows[0].n;
    if (existing >= count) return 0;
    const now = Date.now();
    await client.query('SET statement_timeout = 0');
    await client.query(
      `INSERT INTO users (id, rev, created, modified, name, properties, permissions, roles, type, status, login, login_key,
                          password_hash, use2fa, group_id, auto_delegations, created_date, email, email_key, sharing_data_with,
                          session_version, login_skeleton)
       SELECT gen_random_uuid(), '1-' || md5(n::text), $1, $1, 'Bench User ' || n, '{}'::jsonb, '[]'::jsonb, '{}'::text[],
              'database', 'ACTIVE', 'Bench-User-' || n, 'bench-user-' || n, $2, false, $3, '{}'::jsonb, $1,
              'Bench.User.' || n || '@Bench.Careid.Test', 'bench.user.' || n || '@bench.careid.test', '{}'::jsonb, 1,
              'bench-user-skeleton-' || n
       FROM generate_series($4::int, $5::int) AS n`,
      [now, passwordHash, groupId, existing + 1, count],
    );
    await client.query('ANALYZE users');
    return count - existing;
  });
}

/** EXPLAIN of the app's by-email lookup (UsersRepository.findByEmailKey), to show it uses an email_key index. */
export async function explainByEmail(url: string, emailKey: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query(
      `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${SELECT_USER} WHERE u.email_key = $1 AND u.deletion_date IS NULL`,
      [emailKey],
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

/**
 * `count` patients delegated to `dataOwnerId`, made by SQL (generate_series)
 * as copies of `templateId` (a patient the API created, so every column and
 * the document are what the app writes) with "Template" in its names
 * replaced by "Patient<n>"; then VACUUM (ANALYZE). Returns how many were added.
 */
export async function seedDelegatedPatients(url: string, templateId: string, dataOwnerId: string, count: number): Promise<number> {
  assertBenchName(new URL(url).pathname.slice(1));
  return withClient(url, async (client) => {
    await client.query('SET statement_timeout = 0');
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE bench_new_patients ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1::int) AS n`,
      [count],
    );
    await client.query(`INSERT INTO data_owners (id, kind) SELECT id, 'patient' FROM bench_new_patients`);
    await client.query(
      `INSERT INTO patients (id, rev, created, modified, author, responsible, ssin, date_of_birth, family_first_key, given_first_key,
                             document, system_meta_data)
       SELECT b.id, t.rev, t.created, t.modified, t.author, t.responsible, t.ssin, t.date_of_birth,
              replace(t.family_first_key, 'template', 'patient' || b.n), replace(t.given_first_key, 'template', 'patient' || b.n),
              replace(t.document::text, 'Template', 'Patient' || b.n)::json, t.system_meta_data
       FROM bench_new_patients b CROSS JOIN patients t WHERE t.id = $1`,
      [templateId],
    );
    await client.query(`INSERT INTO patient_delegations (data_owner_id, patient_id) SELECT $1, id FROM bench_new_patients`, [dataOwnerId]);
    await client.query('COMMIT');
    // As autovacuum leaves a table at rest: statistics, and a visibility map for index-only scans.
    await client.query('VACUUM (ANALYZE) patients, patient_delegations');
    return count;
  });
}

/**
 * `count` patients delegated to `dataOwnerId`, each with its own email `<prefix>-<n>@bulk.bench.test` (n from 1),
 * made by SQL as copies of `templateId` (a patient the API created with the email `<prefix>-0@bulk.bench.test`), as
 * seedDelegatedPatients makes them. Returns their ids, in the order of n.
 */
export async function seedPatientsWithEmails(url: string, templateId: string, dataOwnerId: string, prefix: string, count: number) {
  assertBenchName(new URL(url).pathname.slice(1));
  return withClient(url, async (client) => {
    await client.query('SET statement_timeout = 0');
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE bench_bulk_patients ON COMMIT DROP AS SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1::int) AS n`,
      [count],
    );
    await client.query(`INSERT INTO data_owners (id, kind) SELECT id, 'patient' FROM bench_bulk_patients`);
    await client.query(
      `INSERT INTO patients (id, rev, created, modified, author, responsible, ssin, date_of_birth, family_first_key, given_first_key,
                             document, system_meta_data)
       SELECT b.id, t.rev, t.created, t.modified, t.author, t.responsible, t.ssin, t.date_of_birth, t.family_first_key, t.given_first_key,
              replace(t.document::text, $2 || '-0@', $2 || '-' || b.n || '@')::json, t.system_meta_data
       FROM bench_bulk_patients b CROSS JOIN patients t WHERE t.id = $1`,
      [templateId, prefix],
    );
    await client.query(`INSERT INTO patient_delegations (data_owner_id, patient_id) SELECT $1, id FROM bench_bulk_patients`, [dataOwnerId]);
    const { rows } = await client.query<{ id: string }>('SELECT id FROM bench_bulk_patients ORDER BY n');
    await client.query('COMMIT');
    await client.query('ANALYZE patients, patient_delegations, data_owners');
    return rows.map((row) => row.id);
  });
}

/**
 * What inviting a patient wrote, by table: the columns that hold a value in each row (the user, its tokens, the
 * invitation, its message, and the audit records about them, by type). The bulk-invite scenario compares an
 * app-invited patient's with a baseline-invited one's, so that the bare INSERTs write what the app writes.
 */
export async function invitationRowShapes(url: string, patientId: string): Promise<Record<string, string[]>> {
  return withClient(url, async (client) => {
    const shapes: Record<string, string[]> = {};
    const add = async (table: string, sql: string, params: unknown[]) => {
      const { rows } = await client.query(sql, params);
      shapes[table] = rows
        .map(
          (row) =>
            `${row.type ?? ''}(${Object.keys(row)
              .filter((k) => row[k] !== null && k !== 'type')
              .sort()
              .join(',')})`,
        )
        .sort();
    };
    await add('users', `SELECT * FROM users WHERE patient_id = $1`, [patientId]);
    await add('user_tokens', `SELECT t.* FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.patient_id = $1`, [patientId]);
    await add('invitations', `SELECT * FROM invitations WHERE profile_id = $1`, [patientId]);
    await add('outbox_messages', `SELECT m.* FROM outbox_messages m JOIN invitations i ON i.message_id = m.id WHERE i.profile_id = $1`, [
      patientId,
    ]);
    await add(
      'audit_events',
      `SELECT a.occurred, a.type, a.outcome, a.actor_id, a.actor_login, a.target_type, a.target_id, a.ip, a.request_id, a.details
       FROM audit_events a WHERE a.target_id IN (
         SELECT $2::text UNION ALL SELECT u.id::text FROM users u WHERE u.patient_id = $1 UNION ALL SELECT i.id::text FROM invitations i WHERE i.profile_id = $1)
       AND a.type IN ('PATIENT_READ', 'USER_CREATED', 'TOKEN_CREATED', 'USER_INVITED')`,
      [patientId, patientId],
    );
    return shapes;
  });
}
