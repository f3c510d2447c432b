import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { seedDelegatedPatients } from './database';
import { BUILT_MAIN, Child, freePort, ROOT, startNode } from './processes';
import {
  ADMIN,
  COST,
  CPU_PROFILE_DIR,
  DATA_ENCRYPTION_KEY,
  JWT_SECRET,
  log,
  NEW_USER_PASSWORD,
  PATIENTS,
  PATIENTS_PAGE,
  PATIENTS_PAGE_SIZE,
  PRACTITIONER,
  READER,
  RUN_ID,
} from './settings';

const env = process.env;

function appEnv(port: number, databaseUrl: string): Record<string, string | undefined> {
  return {
    ...env,
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    ADMIN_LOGIN: ADMIN.login,
    ADMIN_PASSWORD: ADMIN.password,
    JWT_SECRET,
    DATA_ENCRYPTION_KEY,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    BCRYPT_COST: COST,
  };
}

export async function startApp(
  name: string,
  databaseUrl: string,
  options: { profile?: boolean; env?: Record<string, string> } = {},
): Promise<Child> {
  const port = await freePort();
  const flags = options.profile && CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [];
  const env = { ...appEnv(port, databaseUrl), ...options.env };
  return startNode({ name, args: [...flags, BUILT_MAIN], env, port, readyPath: '/health/ready' });
}

export async function startBaseline(name: string, script: string, extraEnv: Record<string, string>): Promise<Child> {
  const port = await freePort();
  return startNode({
    name,
    args: ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, 'bench', 'baselines', script)],
    env: {
      ...env,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      PORT: String(port),
      BCRYPT_COST: COST,
      // The same thread pool as the app's (apps/api/src/thread-pool.ts).
      UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE ?? String(Math.max(4, availableParallelism())),
      ...extraEnv,
    },
    port,
    readyPath: '/ready',
  });
}

export async function call(base: string, method: string, path: string, body?: unknown, token?: string, expect = [200, 201]): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!expect.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export interface Identity {
  id: string;
  login: string;
  /** A long-lived authentication token: token-as-password logins are cheap, so fresh access JWTs come from it. */
  token: string;
}

export async function passwordLogin(app: Child, login: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  return call(app.url, 'POST', '/api/v1/auth/login', { login, password });
}

export async function tokenLogin(app: Child, who: Identity): Promise<{ accessToken: string; refreshToken: string }> {
  return call(app.url, 'POST', '/api/v1/auth/login', { login: who.login, password: who.token });
}

export async function identityOf(app: Child, login: string, password: string): Promise<Identity> {
  const { accessToken } = await passwordLogin(app, login, password);
  const me = await call(app.url, 'GET', '/api/v1/users/current', undefined, accessToken);
  const created = await call(app.url, 'POST', `/api/v1/users/${me.id}/tokens`, { validitySeconds: 7 * 86400 }, accessToken);
  return { id: me.id, login, token: created.token };
}

/** The reader user, made through the API by the admin unless it exists (runs of only some scenarios start on a fresh database). */
export async function ensureReader(app: Child): Promise<void> {
  const admin = await identityOf(app, ADMIN.login, ADMIN.password);
  const { accessToken } = await tokenLogin(app, admin);
  await call(
    app.url,
    'POST',
    '/api/v1/users',
    { login: READER.login, email: READER.email, passwordHash: READER.password },
    accessToken,
    [201, 400],
  );
}

export interface Clinic {
  practitioner: Identity;
  /** A patient the practitioner created (so it holds a delegation on it). */
  patientId: string;
  /** The cursor the API gave for page PATIENTS_PAGE of the practitioner's list. */
  deepCursor: string;
}

/**
 * A practitioner and its user (through the API), one patient it creates
 * (through the API), then PATIENTS more delegated to it (SQL copies of that
 * one); the cursor of page PATIENTS_PAGE comes from walking the list.
 */
export async function seedClinic(app: Child, adminAccess: string, databaseUrl: string): Promise<Clinic> {
  const practitioner = await call(
    app.url,
    'POST',
    '/api/v1/practitioners',
    {
      firstName: 'Bench',
      lastName: 'Practitioner',
      addresses: [{ addressType: 'work', telecoms: [{ system: 'email', value: PRACTITIONER.email }] }],
    },
    adminAccess,
  );
  await call(
    app.url,
    'POST',
    '/api/v1/users',
    { login: PRACTITIONER.login, email: PRACTITIONER.email, passwordHash: PRACTITIONER.password, healthcarePartyId: practitioner.id },
    adminAccess,
  );
  const who = await identityOf(app, PRACTITIONER.login, PRACTITIONER.password);
  let access = (await tokenLogin(app, who)).accessToken;
  const template = await call(app.url, 'POST', '/api/v1/patients', { firstName: 'Bench', lastName: 'Template', gender: 'female' }, access);
  const t0 = Date.now();
  await seedDelegatedPatients(databaseUrl, template.id, practitioner.id, PATIENTS);
  log(`  ${PATIENTS} patients delegated to the bench practitioner in ${((Date.now() - t0) / 1000).toFixed(1)} s (SQL generate_series)`);
  let cursor: string | null = null;
  for (let page = 1; page < PATIENTS_PAGE; page++) {
    if (page % 200 === 0) access = (await tokenLogin(app, who)).accessToken;
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const body: { rows: unknown[]; nextCursor: string | null } = await call(app.url, 'GET', `/api/v1/patients${query}`, undefined, access);
    if (body.rows.length !== PATIENTS_PAGE_SIZE || !body.nextCursor) throw new Error(`page ${page} of the patients list is not full`);
    cursor = body.nextCursor;
  }
  return { practitioner: who, patientId: template.id, deepCursor: cursor! };
}

export async function refreshTokens(app: Child, who: Identity, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 16) {
    const batch = await Promise.all(Array.from({ length: Math.min(16, count - i) }, () => tokenLogin(app, who)));
    tokens.push(...batch.map((pair) => pair.refreshToken));
  }
  return tokens;
}

/** One session per connection, each refresh presenting the token the previous answer gave (rotation is single use). */
export function refreshSessions(pool: string[]) {
  return () => {
    let token = pool.pop()!;
    return {
      body: () => JSON.stringify({ refreshToken: token }),
      onResponse: (status: number, body: string) => {
        if (status === 200) token = JSON.parse(body).refreshToken;
        else token = pool.pop() ?? token; // a broken session: counted as non-2xx, continue on a spare one
      },
    };
  };
}

let createdUsers = 0;
export function uniqueUsers() {
  return () => ({
    body: () => JSON.stringify({ login: `bench-new-${RUN_ID}-${createdUsers++}`, passwordHash: NEW_USER_PASSWORD }),
    onResponse: () => undefined,
  });
}
