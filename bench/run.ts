/**
 * `npm run bench`: the performance suite (issue 8). Builds the API if needed,
 * runs the BUILT app in child processes in production mode on PostgreSQL,
 * drives it with autocannon, and in the same run drives bare baseline
 * servers doing the same work with nothing else, alternating app and
 * baseline round by round; every target is a ratio of medians from this run.
 * See BENCHMARKS.md for what each scenario does.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import * as bcrypt from 'bcrypt';
import {
  ensureDatabase,
  explainByEmail,
  generatedUser,
  openBenchServer,
  recreateDatabase,
  seedDelegatedPatients,
  seedGeneratedUsers,
  serverVersion,
} from './lib/database';
import { load, median, Request, Window } from './lib/load';
import { checkParity, ParityCheck } from './lib/parity';
import { BUILT_MAIN, Child, freePort, killStarting, postgresCpuMs, ROOT, startNode } from './lib/processes';
import { Figures, Report, ScenarioResult, writeReport } from './lib/report';

const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? Math.min(2, SECONDS));
const ROUNDS = Number(env.BENCH_ROUNDS ?? 5);
const MEMORY_SECONDS = Number(env.BENCH_MEMORY_SECONDS ?? 60);
const MEMORY_REQUESTS = Number(env.BENCH_MEMORY_REQUESTS ?? 100_000);
const BIG_USERS = Number(env.BENCH_BIG_USERS ?? 1_000_000);
const SMALL_USERS = 1_000;
const PATIENTS = Number(env.BENCH_PATIENTS ?? 100_000);
/** The list's default page size (PatientsController): page 1,000 of 100,000 patients is their last. */
const PATIENTS_PAGE_SIZE = 100;
const PATIENTS_PAGE = Math.max(2, Math.floor(PATIENTS / PATIENTS_PAGE_SIZE));
const STARTS = Number(env.BENCH_STARTS ?? 5);
/** Once, before round 1: the app's hot paths get JIT-compiled before any window counts. */
const INITIAL_WARMUP_SECONDS = Number(env.BENCH_INITIAL_WARMUP_SECONDS ?? 5);
const COST = env.BCRYPT_COST ?? '12';
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const CPU_PROFILE_DIR = env.BENCH_CPU_PROF;
const FULL =
  !ONLY &&
  SECONDS >= 5 &&
  ROUNDS >= 5 &&
  MEMORY_SECONDS >= 60 &&
  MEMORY_REQUESTS >= 100_000 &&
  BIG_USERS >= 1_000_000 &&
  PATIENTS >= 100_000 &&
  !CPU_PROFILE_DIR;

const RUN_ID = randomBytes(4).toString('hex');
const JWT_SECRET = randomBytes(36).toString('base64url');
const DATA_ENCRYPTION_KEY = randomBytes(32).toString('base64');
const ADMIN = { login: 'bench-admin', password: 'bench-admin-password-0123' };
const READER = { login: 'bench-reader', email: 'bench-reader@bench.careid.test', password: 'bench-reader-password-0123' };
const PRACTITIONER = {
  login: 'bench-practitioner',
  email: 'bench-practitioner@bench.careid.test',
  password: 'bench-practitioner-password-0123',
};
const NEW_USER_PASSWORD = 'bench-new-user-password-0123';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const wanted = (id: string) => !ONLY || ONLY.has(id);

// ---------- build ----------

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfNeeded(): void {
  const sources = Math.max(
    newestSourceMtime(join(ROOT, 'apps')),
    newestSourceMtime(join(ROOT, 'libs')),
    newestSourceMtime(join(ROOT, 'bench', 'app')),
    ...['tsconfig.json', 'tsconfig.build.json', 'bench/app/tsconfig.json'].map((f) => statSync(join(ROOT, f)).mtimeMs),
  );
  if (existsSync(BUILT_MAIN) && statSync(BUILT_MAIN).mtimeMs >= sources) return;
  log("building the bench's app (dist/bench is missing or older than the sources)");
  const result = spawnSync('npm', ['run', 'bench:build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error('npm run bench:build failed');
}

// ---------- processes ----------

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

async function startApp(name: string, databaseUrl: string, options: { profile?: boolean } = {}): Promise<Child> {
  const port = await freePort();
  const flags = options.profile && CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : [];
  return startNode({ name, args: [...flags, BUILT_MAIN], env: appEnv(port, databaseUrl), port, readyPath: '/health/ready' });
}

async function startBaseline(name: string, script: string, extraEnv: Record<string, string>): Promise<Child> {
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

// ---------- HTTP helpers ----------

async function call(base: string, method: string, path: string, body?: unknown, token?: string, expect = [200, 201]): Promise<any> {
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

interface Identity {
  id: string;
  login: string;
  /** A long-lived authentication token: token-as-password logins are cheap, so fresh access JWTs come from it. */
  token: string;
}

async function passwordLogin(app: Child, login: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  return call(app.url, 'POST', '/api/v1/auth/login', { login, password });
}

async function tokenLogin(app: Child, who: Identity): Promise<{ accessToken: string; refreshToken: string }> {
  return call(app.url, 'POST', '/api/v1/auth/login', { login: who.login, password: who.token });
}

async function identityOf(app: Child, login: string, password: string): Promise<Identity> {
  const { accessToken } = await passwordLogin(app, login, password);
  const me = await call(app.url, 'GET', '/api/v1/users/current', undefined, accessToken);
  const created = await call(app.url, 'POST', `/api/v1/users/${me.id}/tokens`, { validitySeconds: 7 * 86400 }, accessToken);
  return { id: me.id, login, token: created.token };
}

/** The reader user, made through the API by the admin unless it exists (runs of only some scenarios start on a fresh database). */
async function ensureReader(app: Child): Promise<void> {
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

interface Clinic {
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
async function seedClinic(app: Child, adminAccess: string, databaseUrl: string): Promise<Clinic> {
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

async function refreshTokens(app: Child, who: Identity, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 16) {
    const batch = await Promise.all(Array.from({ length: Math.min(16, count - i) }, () => tokenLogin(app, who)));
    tokens.push(...batch.map((pair) => pair.refreshToken));
  }
  return tokens;
}

/** One session per connection, each refresh presenting the token the previous answer gave (rotation is single use). */
function refreshSessions(pool: string[]) {
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
function uniqueUsers() {
  return () => ({
    body: () => JSON.stringify({ login: `bench-new-${RUN_ID}-${createdUsers++}`, passwordHash: NEW_USER_PASSWORD }),
    onResponse: () => undefined,
  });
}

// ---------- measuring ----------

interface Target {
  url: string;
  /** The server process, to charge its CPU time to the window. */
  server?: Child;
  request: Request | (() => Promise<Request>);
  connections: number;
  /** Windows this many times BENCH_SECONDS: bcrypt-bound routes answer a few times a second, so their windows are longer. */
  lengthFactor?: number;
  perConnection?: () => Promise<(() => { body: () => string; onResponse: (status: number, body: string) => void }) | undefined>;
}

const windows = new Map<string, Window[]>();

async function measure(label: string, target: Target): Promise<Window> {
  const request = typeof target.request === 'function' ? await target.request() : target.request;
  if (WARMUP_SECONDS > 0) {
    await load({
      url: target.url,
      connections: target.connections,
      seconds: WARMUP_SECONDS,
      request,
      perConnection: await target.perConnection?.(),
    });
  }
  const perConnection = await target.perConnection?.();
  const cpuBefore = target.server?.cpuMs();
  const postgresBefore = postgresCpuMs();
  const selfBefore = process.cpuUsage();
  const seconds = SECONDS * (target.lengthFactor ?? 1);
  const window = await load({ url: target.url, connections: target.connections, seconds, request, perConnection });
  if (target.server && cpuBefore !== undefined) window.cpuMsPerRequest = (target.server.cpuMs() - cpuBefore) / Math.max(1, window.ok);
  const self = process.cpuUsage(selfBefore);
  window.postgresCpuMsPerRequest = (postgresCpuMs() - postgresBefore) / Math.max(1, window.ok);
  window.loadCpuMsPerRequest = (self.user + self.system) / 1000 / Math.max(1, window.ok);
  if (!windows.has(label)) windows.set(label, []);
  windows.get(label)!.push(window);
  const codes = Object.keys(window.statusCodes).length ? ` codes ${JSON.stringify(window.statusCodes)}` : '';
  log(
    `  ${label.padEnd(26)} ${window.requestsPerSecond.toFixed(1).padStart(8)} req/s  p50 ${window.p50Ms.toFixed(2)} ms  p99 ${window.p99Ms.toFixed(2)} ms  cpu/req ${window.cpuMsPerRequest?.toFixed(3) ?? '–'} ms (postgres ${window.postgresCpuMsPerRequest.toFixed(3)}, load ${window.loadCpuMsPerRequest.toFixed(3)})  errors ${window.errors} non-2xx ${window.non2xx}${codes}`,
  );
  return window;
}

/** A scenario side's figures: medians over its windows, and each window. */
interface Summary extends Figures {
  perWindow: { requestsPerSecond: number; p50Ms: number; p99Ms: number; cpuMsPerRequest?: number }[];
}

function summary(label: string): Summary | undefined {
  const list = windows.get(label);
  if (!list?.length) return undefined;
  return {
    requestsPerSecond: median(list.map((w) => w.requestsPerSecond)),
    p50Ms: median(list.map((w) => w.p50Ms)),
    p99Ms: median(list.map((w) => w.p99Ms)),
    cpuMsPerRequest: list[0].cpuMsPerRequest !== undefined ? round(median(list.map((w) => w.cpuMsPerRequest!)), 3) : undefined,
    errors: list.reduce((sum, w) => sum + w.errors, 0),
    non2xx: list.reduce((sum, w) => sum + w.non2xx, 0),
    windows: list.length,
    perWindow: list.map((w) => ({
      requestsPerSecond: round(w.requestsPerSecond),
      p50Ms: round(w.p50Ms),
      p99Ms: round(w.p99Ms),
      cpuMsPerRequest: w.cpuMsPerRequest !== undefined ? round(w.cpuMsPerRequest, 3) : undefined,
    })),
  };
}

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value);

/** Runs `a` then `b`, or `b` then `a` on odd rounds, so neither side always goes first. */
async function alternate(roundIndex: number, steps: (() => Promise<unknown>)[]): Promise<void> {
  const ordered = roundIndex % 2 ? [...steps].reverse() : steps;
  for (const step of ordered) await step();
}

// ---------- main ----------

async function main(): Promise<void> {
  const startedAt = new Date();
  buildIfNeeded();
  const server = await openBenchServer(env.DATABASE_URL, log);
  const children: Child[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((child) => child.stop()));
    await server.stop();
  };
  process.on('SIGINT', () => {
    killStarting();
    void stopAll().finally(() => process.exit(130));
  });

  const results: ScenarioResult[] = [];
  const notes: string[] = [];
  let postgresVersion = '';
  try {
    const mainName = server.mainName;
    const bigName = `${mainName}_1m`;
    const mainUrl = server.urlFor(mainName);
    const bigUrl = server.urlFor(bigName);
    await recreateDatabase(server, mainName);
    postgresVersion = await serverVersion(mainUrl);
    log(`PostgreSQL ${postgresVersion}; main database ${mainName} (fresh), ${bigName} (kept between runs)`);

    const throughput = [
      'get-user',
      'guard-overhead',
      'refresh',
      'token-login',
      'password-login',
      'password-login-latency',
      'create-user',
      'by-email-1m',
      'patients-get',
      'patients-page',
    ].some(wanted);
    let app: Child | undefined;
    let big: Child | undefined;
    let bare: Child | undefined;
    let bcryptServer: Child | undefined;

    if (throughput) {
      app = await startApp('app', mainUrl, { profile: true });
      children.push(app);
      log(`app ready in ${app.readyAfterMs.toFixed(0)} ms (first start: migrations)`);
      bare = await startBaseline('baseline-bare-read', 'bare-read-server.ts', { DATABASE_URL: mainUrl, JWT_SECRET });
      bcryptServer = await startBaseline('baseline-bcrypt', 'bcrypt-server.ts', { BENCH_PASSWORD: READER.password });
      children.push(bare, bcryptServer);

      // Seed: the admin (seeded by the app), a plain reader user created through the API, 1,000 generated users.
      const admin = await identityOf(app, ADMIN.login, ADMIN.password);
      const adminAccess = (await tokenLogin(app, admin)).accessToken;
      await call(
        app.url,
        'POST',
        '/api/v1/users',
        { login: READER.login, email: READER.email, passwordHash: READER.password },
        adminAccess,
      );
      const reader = await identityOf(app, READER.login, READER.password);
      const storedHash = await bcrypt.hash('generated-user-password', Number(COST));
      await seedGeneratedUsers(mainUrl, SMALL_USERS, storedHash);

      let clinic: Clinic | undefined;
      if (wanted('patients-get') || wanted('patients-page')) {
        log(`seeding a practitioner with ${PATIENTS} patients`);
        clinic = await seedClinic(app, adminAccess, mainUrl);
      }
      const asPractitioner = async (path: string): Promise<Request> => ({
        path,
        headers: { authorization: `Bearer ${(await tokenLogin(app!, clinic!.practitioner)).accessToken}` },
      });

      let bigAdmin: Identity | undefined;
      if (wanted('by-email-1m')) {
        await ensureDatabase(server, bigName);
        big = await startApp('app-1m', bigUrl);
        children.push(big);
        const added = await (async () => {
          const t0 = Date.now();
          log(`making sure ${bigName} holds ${BIG_USERS} generated users (SQL generate_series)`);
          const n = await seedGeneratedUsers(bigUrl, BIG_USERS, storedHash);
          if (n) log(`  added ${n} users in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          return n;
        })();
        if (added) notes.push(`${added} generated users were inserted into ${bigName} in this run.`);
        bigAdmin = await identityOf(big, ADMIN.login, ADMIN.password);
        const probe = generatedUser(Math.ceil(BIG_USERS / 2)).email.toLowerCase();
        notes.push(`EXPLAIN of the by-email lookup on ${BIG_USERS} users:\n${await explainByEmail(bigUrl, probe)}`);
      }

      const readerAccess = async () => (await tokenLogin(app!, reader)).accessToken;
      const getUser = async (): Promise<Request> => ({
        path: `/api/v1/users/${reader.id}`,
        headers: { authorization: `Bearer ${await readerAccess()}` },
      });
      const parity: ParityCheck[] = [
        { what: 'user', app: `/api/v1/users/${reader.id}`, bare: `/users/${reader.id}`, headers: (await getUser()).headers! },
      ];
      if (clinic) {
        const { headers } = await asPractitioner('');
        parity.push({
          what: 'patient',
          app: `/api/v1/patients/${clinic.patientId}`,
          bare: `/patients/${clinic.patientId}`,
          headers: headers!,
        });
      }
      await checkParity(app.url, bare.url, parity);

      if (INITIAL_WARMUP_SECONDS > 0) {
        log(`warming up the app and the bare server (${INITIAL_WARMUP_SECONDS} s per route)`);
        const warm = async (url: string, request: Request) => load({ url, connections: 32, seconds: INITIAL_WARMUP_SECONDS, request });
        await warm(app.url, await getUser());
        await warm(app.url, { path: `/api/v1/bench-unguarded/users/${reader.id}` });
        await warm(bare.url, { path: `/users/${reader.id}`, headers: (await getUser()).headers });
        await warm(app.url, {
          method: 'POST',
          path: '/api/v1/auth/login',
          body: JSON.stringify({ login: reader.login, password: reader.token }),
        });
        if (clinic) {
          await warm(app.url, await asPractitioner(`/api/v1/patients/${clinic.patientId}`));
          await warm(bare.url, await asPractitioner(`/patients/${clinic.patientId}`));
          await warm(app.url, await asPractitioner(`/api/v1/patients?cursor=${encodeURIComponent(clinic.deepCursor)}`));
        }
        if (big && bigAdmin) {
          // Both by-email processes equally warm: app-1m serves nothing else.
          for (const [child, who, n] of [
            [app, admin, SMALL_USERS / 2],
            [big, bigAdmin, Math.ceil(BIG_USERS / 2)],
          ] as const) {
            await warm(child.url, {
              path: `/api/v1/users/by-email/${encodeURIComponent(generatedUser(n).email)}`,
              headers: { authorization: `Bearer ${(await tokenLogin(child, who)).accessToken}` },
            });
          }
        }
      }

      for (let r = 0; r < ROUNDS; r++) {
        log(`round ${r + 1}/${ROUNDS}`);
        if (wanted('get-user') || wanted('guard-overhead') || wanted('refresh') || wanted('token-login')) {
          await alternate(r, [
            () => measure('get-user/app', { url: app!.url, server: app!, request: getUser, connections: 32 }),
            async () => {
              const { headers } = await getUser();
              return measure('get-user/bare', {
                url: bare!.url,
                server: bare!,
                request: { path: `/users/${reader.id}`, headers },
                connections: 32,
              });
            },
            () =>
              measure('get-user/app-unguarded', {
                url: app!.url,
                server: app!,
                request: { path: `/api/v1/bench-unguarded/users/${reader.id}` },
                connections: 32,
              }),
          ]);
        }
        if (wanted('refresh') || wanted('token-login')) {
          await alternate(r, [
            () =>
              measure('refresh/app', {
                url: app!.url,
                server: app!,
                request: { method: 'POST', path: '/api/v1/auth/refresh' },
                connections: 32,
                perConnection: async () => refreshSessions(await refreshTokens(app!, reader, 64)),
              }),
            () =>
              measure('token-login/app', {
                url: app!.url,
                server: app!,
                request: {
                  method: 'POST',
                  path: '/api/v1/auth/login',
                  body: JSON.stringify({ login: reader.login, password: reader.token }),
                },
                connections: 32,
              }),
          ]);
        }
        if (wanted('password-login') || wanted('refresh') || wanted('token-login')) {
          await alternate(r, [
            () =>
              measure('password-login/app', {
                url: app!.url,
                server: app!,
                request: {
                  method: 'POST',
                  path: '/api/v1/auth/login',
                  body: JSON.stringify({ login: reader.login, password: READER.password }),
                },
                connections: 8,
                lengthFactor: 2,
              }),
            () =>
              measure('password-login/bcrypt', {
                url: bcryptServer!.url,
                server: bcryptServer!,
                request: { method: 'POST', path: '/compare', body: JSON.stringify({ password: READER.password }) },
                connections: 8,
                lengthFactor: 2,
              }),
          ]);
        }
        if (wanted('password-login-latency')) {
          await alternate(r, [
            () =>
              measure('password-login-1/app', {
                url: app!.url,
                server: app!,
                request: {
                  method: 'POST',
                  path: '/api/v1/auth/login',
                  body: JSON.stringify({ login: reader.login, password: READER.password }),
                },
                connections: 1,
              }),
            () =>
              measure('password-login-1/bcrypt', {
                url: bcryptServer!.url,
                server: bcryptServer!,
                request: { method: 'POST', path: '/compare', body: JSON.stringify({ password: READER.password }) },
                connections: 1,
              }),
          ]);
        }
        if (wanted('create-user')) {
          await alternate(r, [
            () =>
              measure('create-user/app', {
                url: app!.url,
                server: app!,
                request: async () => ({
                  method: 'POST',
                  path: '/api/v1/users',
                  headers: { authorization: `Bearer ${(await tokenLogin(app!, admin)).accessToken}` },
                }),
                connections: 8,
                lengthFactor: 2,
                perConnection: async () => uniqueUsers(),
              }),
            () =>
              measure('create-user/bcrypt-hash', {
                url: bcryptServer!.url,
                server: bcryptServer!,
                request: { method: 'POST', path: '/hash', body: JSON.stringify({ password: NEW_USER_PASSWORD }) },
                connections: 8,
                lengthFactor: 2,
              }),
          ]);
        }
        if (wanted('patients-get') && clinic) {
          await alternate(r, [
            () =>
              measure('patients-get/app', {
                url: app!.url,
                server: app!,
                request: () => asPractitioner(`/api/v1/patients/${clinic!.patientId}`),
                connections: 32,
              }),
            () =>
              measure('patients-get/bare', {
                url: bare!.url,
                server: bare!,
                request: () => asPractitioner(`/patients/${clinic!.patientId}`),
                connections: 32,
              }),
          ]);
        }
        if (wanted('patients-page') && clinic) {
          await alternate(r, [
            () =>
              measure('patients-page/1', {
                url: app!.url,
                server: app!,
                request: () => asPractitioner('/api/v1/patients'),
                connections: 8,
              }),
            () =>
              measure(`patients-page/${PATIENTS_PAGE}`, {
                url: app!.url,
                server: app!,
                request: () => asPractitioner(`/api/v1/patients?cursor=${encodeURIComponent(clinic!.deepCursor)}`),
                connections: 8,
              }),
          ]);
        }
        if (wanted('by-email-1m') && big && bigAdmin) {
          const byEmail = (child: Child, who: Identity, n: number) => async (): Promise<Request> => ({
            path: `/api/v1/users/by-email/${encodeURIComponent(generatedUser(n).email)}`,
            headers: { authorization: `Bearer ${(await tokenLogin(child, who)).accessToken}` },
          });
          await alternate(r, [
            () => measure('by-email/1k', { url: app!.url, server: app!, request: byEmail(app!, admin, SMALL_USERS / 2), connections: 8 }),
            () =>
              measure('by-email/1m', {
                url: big!.url,
                server: big!,
                request: byEmail(big!, bigAdmin!, Math.ceil(BIG_USERS / 2)),
                connections: 8,
              }),
          ]);
        }
      }
      await Promise.all([app.stop(), big?.stop()]);
      if (CPU_PROFILE_DIR) log(`CPU profile of the app written to ${CPU_PROFILE_DIR}`);
    }

    // ---------- memory ----------
    let memoryLoad: Record<string, number> | undefined;
    if (wanted('memory-load')) {
      log(`memory: ${MEMORY_SECONDS} s of authenticated GETs (32 connections) on a fresh app`);
      const mem = await startApp('app-memory-load', mainUrl);
      children.push(mem);
      await ensureReader(mem);
      const reader = await identityOf(mem, READER.login, READER.password);
      const request: Request = {
        path: `/api/v1/users/${reader.id}`,
        headers: { authorization: `Bearer ${(await tokenLogin(mem, reader)).accessToken}` },
      };
      await load({ url: mem.url, connections: 32, seconds: Math.max(WARMUP_SECONDS, 5), request });
      // RSS under load is a GC sawtooth: compare the median of the first third of the window (after the warm-up) with that of the last third.
      const samples: number[] = [];
      const sampler = setInterval(() => samples.push(mem.rssBytes()), 500);
      const window = await load({ url: mem.url, connections: 32, seconds: MEMORY_SECONDS, request });
      clearInterval(sampler);
      await mem.stop();
      const span = Math.max(1, Math.floor(samples.length / 3));
      const start = median(samples.slice(0, span));
      const end = median(samples.slice(-span));
      memoryLoad = {
        rssFirstThirdMedianMb: mb(start),
        rssLastThirdMedianMb: mb(end),
        rssMinMb: mb(Math.min(...samples)),
        rssPeakMb: mb(Math.max(...samples)),
        growthPercent: round(((end - start) / start) * 100, 1),
        requestsPerSecond: round(window.requestsPerSecond, 1),
        errors: window.errors,
        non2xx: window.non2xx,
      };
      log(`  ${JSON.stringify(memoryLoad)}`);
    }

    let memoryLogins: Record<string, number | string> | undefined;
    if (wanted('memory-logins')) {
      const first = Math.max(1, Math.round(MEMORY_REQUESTS / 100));
      log(`memory: ${MEMORY_REQUESTS} token-as-password logins and refreshes (half each) on a fresh app`);
      const mem = await startApp('app-memory-logins', mainUrl);
      children.push(mem);
      await ensureReader(mem);
      const reader = await identityOf(mem, READER.login, READER.password);
      const tokenLoginRequest: Request = {
        method: 'POST',
        path: '/api/v1/auth/login',
        body: JSON.stringify({ login: reader.login, password: reader.token }),
      };
      const refreshRequest: Request = { method: 'POST', path: '/api/v1/auth/refresh' };
      // RSS is sampled every 250 ms during each batch; a checkpoint's figure is the median of the batch's last 40 samples
      // (its last 10 s, or all of a shorter batch): under load RSS is a GC sawtooth, and one reading lands anywhere on it.
      const both = async (amount: number) => {
        const samples: number[] = [];
        const sampler = setInterval(() => samples.push(mem.rssBytes()), 250);
        const half = Math.max(32, Math.round(amount / 2));
        const a = await load({ url: mem.url, connections: 32, amount: half, request: tokenLoginRequest });
        const b = await load({
          url: mem.url,
          connections: 32,
          amount: half,
          request: refreshRequest,
          perConnection: refreshSessions(await refreshTokens(mem, reader, 64)),
        });
        clearInterval(sampler);
        samples.push(mem.rssBytes());
        return {
          ok: a.ok + b.ok,
          errors: a.errors + b.errors,
          non2xx: a.non2xx + b.non2xx,
          rss: median(samples.slice(-40)),
          peak: Math.max(...samples),
        };
      };
      // Warm-up: both routes, long enough for the JIT and the heap to settle (not counted).
      const warmUp = Math.max(5, WARMUP_SECONDS);
      await load({ url: mem.url, connections: 32, seconds: warmUp, request: tokenLoginRequest });
      await load({
        url: mem.url,
        connections: 32,
        seconds: warmUp,
        request: refreshRequest,
        perConnection: refreshSessions(await refreshTokens(mem, reader, 64)),
      });
      // RSS after the first 1% (1,000 of 100,000), then along the way, so a plateau tells itself from a leak.
      const checkpoints = [first, ...[0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * MEMORY_REQUESTS))];
      const trajectory: string[] = [];
      let done = 0;
      let ok = 0;
      let errors = 0;
      let non2xx = 0;
      let firstRss = NaN;
      let lastRss = NaN;
      let peak = 0;
      for (const checkpoint of checkpoints) {
        if (checkpoint <= done) continue;
        const batch = await both(checkpoint - done);
        done = checkpoint;
        ok += batch.ok;
        errors += batch.errors;
        non2xx += batch.non2xx;
        peak = Math.max(peak, batch.peak);
        lastRss = batch.rss;
        if (Number.isNaN(firstRss)) firstRss = batch.rss;
        trajectory.push(`${ok}: ${mb(batch.rss)}`);
        log(`  after ${ok} requests: RSS ${mb(batch.rss)} MB (median of the last 10 s)`);
      }
      await mem.stop();
      memoryLogins = {
        rssAfterFirstMb: mb(firstRss),
        requestsTotal: ok,
        rssAfterTotalMb: mb(lastRss),
        ratio: round(lastRss / firstRss, 3),
        rssPeakMb: mb(peak),
        'trajectory (requests: MB)': trajectory.join('; '),
        errors,
        non2xx,
      };
      log(`  ${JSON.stringify(memoryLogins)}`);
    }

    // ---------- start-up ----------
    let startup: { medianMs: number; runsMs: number[] } | undefined;
    if (wanted('startup')) {
      log(`start-up: ${STARTS} starts on the existing database, process start to /health/ready`);
      const runs: number[] = [];
      // On a database this run has not migrated yet, a first, unmeasured start migrates it.
      if (!throughput && !wanted('memory-load') && !wanted('memory-logins')) await (await startApp('app-startup', mainUrl)).stop();
      for (let i = 0; i < STARTS; i++) {
        const child = await startApp(`app-startup`, mainUrl);
        runs.push(round(child.readyAfterMs, 0));
        await child.stop();
      }
      startup = { medianMs: median(runs), runsMs: runs };
      log(`  ${JSON.stringify(startup)}`);
    }

    results.push(...evaluate(memoryLoad, memoryLogins, startup));
  } finally {
    await stopAll();
  }

  const report: Report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    full: FULL,
    settings: {
      seconds: SECONDS,
      warmUpSeconds: WARMUP_SECONDS,
      rounds: ROUNDS,
      memorySeconds: MEMORY_SECONDS,
      memoryRequests: MEMORY_REQUESTS,
      bigUsers: BIG_USERS,
      bcryptCost: Number(COST),
      only: ONLY ? [...ONLY] : null,
    },
    machine: {
      cores: cpus().length,
      availableParallelism: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGb: round(totalmem() / 2 ** 30, 1),
      loadAverageAtEnd: loadavg().map((v) => round(v)),
      node: process.version,
      postgres: postgresVersion,
      commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout.toString().trim(),
    },
    scenarios: results,
    notes,
  };
  const table = writeReport(report);
  process.stdout.write(`\n${table}\n`);
}

const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

function check(
  name: string,
  value: number,
  limit: number,
  direction: '>=' | '<=' | '<',
): { name: string; value: number; limit: number; pass: boolean } {
  const pass = direction === '>=' ? value >= limit : direction === '<=' ? value <= limit : value < limit;
  return { name, value: round(value, 3), limit, pass: Number.isFinite(value) && pass };
}

function clean(...summaries: (Summary | undefined)[]): boolean {
  return summaries.every((s) => s !== undefined && s.errors === 0 && s.non2xx === 0);
}

function scenario(partial: Omit<ScenarioResult, 'status'> & { measured: boolean; cleanRuns?: boolean }): ScenarioResult {
  const { measured, cleanRuns, ...rest } = partial;
  if (!measured) return { ...rest, status: 'not measured' };
  const pass = rest.checks.every((c) => c.pass) && cleanRuns !== false;
  return { ...rest, status: pass ? 'pass' : 'fail' };
}

function evaluate(
  memoryLoad: Record<string, number> | undefined,
  memoryLogins: Record<string, number | string> | undefined,
  startup: { medianMs: number; runsMs: number[] } | undefined,
): ScenarioResult[] {
  const get = summary('get-user/app');
  const bare = summary('get-user/bare');
  const unguarded = summary('get-user/app-unguarded');
  const refresh = summary('refresh/app');
  const tokenLogin = summary('token-login/app');
  const password = summary('password-login/app');
  const bcryptCompare = summary('password-login/bcrypt');
  const password1 = summary('password-login-1/app');
  const bcrypt1 = summary('password-login-1/bcrypt');
  const create = summary('create-user/app');
  const hash = summary('create-user/bcrypt-hash');
  const small = summary('by-email/1k');
  const bigOne = summary('by-email/1m');
  const patientApp = summary('patients-get/app');
  const patientBare = summary('patients-get/bare');
  const firstPage = summary('patients-page/1');
  const deepPage = summary(`patients-page/${PATIENTS_PAGE}`);
  const r = (a?: Summary, b?: Summary, key: 'requestsPerSecond' | 'p50Ms' | 'p99Ms' = 'requestsPerSecond') =>
    a && b ? a[key] / b[key] : NaN;

  const results: ScenarioResult[] = [
    scenario({
      id: 'get-user',
      title: 'GET /api/v1/users/:id with a JWT, 32 connections',
      target: "≥ 0.6 × the bare server's requests/s; p99 ≤ 2 × its p99",
      app: get,
      baseline: bare,
      baselineName: 'bare node:http: same JWT check + same SQL via pg',
      checks: [check('requests/s ratio', r(get, bare), 0.6, '>='), check('p99 ratio', r(get, bare, 'p99Ms'), 2, '<=')],
      measured: !!(get && bare),
      cleanRuns: clean(get, bare),
    }),
    scenario({
      id: 'patients-get',
      title: 'GET /api/v1/patients/:id by its practitioner (delegation check and audit record included), 32 connections',
      target: "≥ 0.5 × the bare server's requests/s",
      app: patientApp,
      baseline: patientBare,
      baselineName: 'bare node:http: same JWT check, same patient SQL, same delegation check, same audit INSERT via pg',
      checks: [check('requests/s ratio', r(patientApp, patientBare), 0.5, '>=')],
      measured: !!(patientApp && patientBare),
      cleanRuns: clean(patientApp, patientBare),
    }),
    scenario({
      id: 'guard-overhead',
      title: 'GET /api/v1/users/:id guarded vs the same route unguarded (bench/app)',
      target: 'guarded ≥ 0.85 × unguarded requests/s',
      app: get,
      baseline: unguarded,
      baselineName: 'same app, /api/v1/bench-unguarded/users/:id (@Public)',
      checks: [check('requests/s ratio', r(get, unguarded), 0.85, '>=')],
      measured: !!(get && unguarded),
      cleanRuns: clean(get, unguarded),
    }),
    scenario({
      id: 'refresh',
      title: 'POST /api/v1/auth/refresh (rotating, one session per connection), 32 connections',
      target: '≥ 50 × password logins/s, ≥ 0.3 × the authenticated GET',
      app: refresh,
      baseline: password,
      baselineName: 'password logins (app), and the authenticated GET (app)',
      checks: [check('÷ password logins/s', r(refresh, password), 50, '>='), check('÷ authenticated GET/s', r(refresh, get), 0.3, '>=')],
      measured: !!(refresh && password && get),
      cleanRuns: clean(refresh),
    }),
    scenario({
      id: 'token-login',
      title: 'POST /api/v1/auth/login with a token from POST /users/:id/tokens, 32 connections',
      target: '≥ 50 × password logins/s, ≥ 0.3 × the authenticated GET',
      app: tokenLogin,
      baseline: password,
      baselineName: 'password logins (app), and the authenticated GET (app)',
      checks: [
        check('÷ password logins/s', r(tokenLogin, password), 50, '>='),
        check('÷ authenticated GET/s', r(tokenLogin, get), 0.3, '>='),
      ],
      measured: !!(tokenLogin && password && get),
      cleanRuns: clean(tokenLogin),
    }),
    scenario({
      id: 'password-login',
      title: `POST /api/v1/auth/login with a password (bcrypt cost ${COST}), 8 connections`,
      target: "≥ 0.9 × the bcrypt-only server's logins/s",
      app: password,
      baseline: bcryptCompare,
      baselineName: 'bare node:http running bcrypt.compare only',
      checks: [check('requests/s ratio', r(password, bcryptCompare), 0.9, '>=')],
      measured: !!(password && bcryptCompare),
      cleanRuns: clean(password, bcryptCompare),
    }),
    scenario({
      id: 'password-login-latency',
      title: 'POST /api/v1/auth/login with a password, one request in flight',
      target: 'p50 ≤ 1.3 × one hash (the bcrypt-only server, one in flight)',
      app: password1,
      baseline: bcrypt1,
      baselineName: 'bare node:http running bcrypt.compare only, 1 connection',
      checks: [check('p50 ratio', r(password1, bcrypt1, 'p50Ms'), 1.3, '<=')],
      measured: !!(password1 && bcrypt1),
      cleanRuns: clean(password1, bcrypt1),
    }),
    scenario({
      id: 'create-user',
      title: 'POST /api/v1/users (hashing included), 8 connections',
      target: "≥ 0.85 × the bcrypt-only server's hash rate",
      app: create,
      baseline: hash,
      baselineName: 'bare node:http running bcrypt.hash only',
      checks: [check('requests/s ratio', r(create, hash), 0.85, '>=')],
      measured: !!(create && hash),
      cleanRuns: clean(create, hash),
    }),
    scenario({
      id: 'by-email-1m',
      title: `GET /api/v1/users/by-email/:email with ${BIG_USERS.toLocaleString('en')} users vs ${SMALL_USERS.toLocaleString('en')}, 8 connections`,
      target: 'p50 ≤ 1.3 × the p50 with 1,000 users',
      app: bigOne,
      baseline: small,
      baselineName: `same app build on a database of ${SMALL_USERS} generated users`,
      checks: [check('p50 ratio', r(bigOne, small, 'p50Ms'), 1.3, '<=')],
      measured: !!(bigOne && small),
      cleanRuns: clean(bigOne, small),
    }),
    scenario({
      id: 'patients-page',
      title: `GET /api/v1/patients?cursor= page ${PATIENTS_PAGE.toLocaleString('en')} (of ${PATIENTS_PAGE_SIZE}) of a practitioner with ${PATIENTS.toLocaleString('en')} patients, 8 connections`,
      target: 'p50 ≤ 1.3 × the p50 of page 1',
      app: deepPage,
      baseline: firstPage,
      baselineName: 'page 1 of the same list (same app, same caller)',
      checks: [check('p50 ratio', r(deepPage, firstPage, 'p50Ms'), 1.3, '<=')],
      measured: !!(deepPage && firstPage),
      cleanRuns: clean(deepPage, firstPage),
    }),
    scenario({
      id: 'memory-load',
      title: `RSS over a ${MEMORY_SECONDS} s load of the authenticated GET, 32 connections`,
      target: 'RSS growth after warm-up < 10%, RSS < 300 MB',
      extra: memoryLoad,
      checks: memoryLoad
        ? [check('growth %', memoryLoad.growthPercent, 10, '<'), check('peak RSS MB', memoryLoad.rssPeakMb, 300, '<')]
        : [],
      measured: !!memoryLoad,
      cleanRuns: memoryLoad ? memoryLoad.errors === 0 && memoryLoad.non2xx === 0 : undefined,
    }),
    scenario({
      id: 'memory-logins',
      title: `RSS after ${MEMORY_REQUESTS.toLocaleString('en')} token-as-password logins and refreshes vs after ${Math.round(MEMORY_REQUESTS / 100).toLocaleString('en')}`,
      target: 'RSS ≤ 1.1 × RSS after 1,000',
      extra: memoryLogins,
      checks: memoryLogins ? [check('RSS ratio', memoryLogins.ratio as number, 1.1, '<=')] : [],
      measured: !!memoryLogins,
      cleanRuns: memoryLogins ? memoryLogins.errors === 0 && memoryLogins.non2xx === 0 : undefined,
    }),
    scenario({
      id: 'startup',
      title: 'Start-up: process start to /health/ready on an existing database',
      target: '< 3 s',
      extra: startup ? { medianMs: startup.medianMs, runsMs: startup.runsMs.join(', ') } : undefined,
      checks: startup ? [check('median ms', startup.medianMs, 3000, '<')] : [],
      measured: !!startup,
    }),
  ];
  return results;
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
