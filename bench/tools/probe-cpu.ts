/**
 * Where the machine's CPU goes per authenticated GET (`GET /api/v1/users/:id`, 32 connections): the server
 * process, PostgreSQL (all its processes) and the load generator, in alternating 5 s windows. With a variant B
 * (another build, other node flags or other environment variables) it compares two app processes on the same
 * database in the same run. For experiments; not part of `npm run bench`.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/careid_bench \
 *     node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/tools/probe-cpu.ts [rounds]
 *
 * Runs against a database the bench has set up (its admin and `bench-reader`). Settings, all optional:
 * PROBE_SIDES (comma-separated of app, appB, app-unguarded, bare), PROBE_LOGIN / PROBE_PASSWORD (who reads itself;
 * default the bench admin), PROBE_NODE_FLAGS and PROBE_APP_ENV (JSON: node flags and environment of both apps and
 * the bare server), PROBE_MAIN_B (another build's main.js), PROBE_NODE_FLAGS_B and PROBE_APP_ENV_B (B only), and
 * PROBE_LOGIN_WARMUP_SECONDS (token logins on app A before the windows, as the bench's warm-up does).
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { load } from '../lib/load';
import { BUILT_MAIN, Child, freePort, postgresCpuMs, ROOT, startNode } from '../lib/processes';

const env = process.env;
const json = <T>(name: string, fallback: T): T => (env[name] ? (JSON.parse(env[name]!) as T) : fallback);
const DATABASE_URL = env.DATABASE_URL!;
const ADMIN = { login: 'bench-admin', password: 'bench-admin-password-0123' };
const appEnv = {
  ...env,
  NODE_ENV: 'production',
  ADMIN_LOGIN: ADMIN.login,
  ADMIN_PASSWORD: ADMIN.password,
  JWT_SECRET: 'probe-secret-0123456789abcdef0123456789abcdef',
  DATA_ENCRYPTION_KEY: 'b7'.repeat(32),
  PUBLIC_URL: 'http://127.0.0.1',
  AUTH_RATE_LIMIT_PER_MINUTE: '0',
  LOG_LEVEL: 'info',
  ...json<Record<string, string>>('PROBE_APP_ENV', {}),
};

async function startApp(name: string, main: string, flags: string[], extraEnv: Record<string, string>): Promise<Child> {
  const port = await freePort();
  return startNode({ name, args: [...flags, main], env: { ...appEnv, ...extraEnv, PORT: String(port) }, port, readyPath: '/health/ready' });
}

/** Transactions committed in the database so far: their difference over a window tells the statements per request. */
async function commits(): Promise<number> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  const { rows } = await client.query('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()');
  await client.end();
  return Number(rows[0].n);
}

async function call(url: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return response.json();
}

async function main(): Promise<void> {
  const flags = json<string[]>('PROBE_NODE_FLAGS', []);
  const app = await startApp('probe-app', BUILT_MAIN, flags, {});
  const barePort = await freePort();
  const bare = await startNode({
    name: 'probe-bare',
    args: [
      ...flags,
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(ROOT, 'bench', 'baselines', 'bare-read-server.ts'),
    ],
    env: { ...appEnv, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), PORT: String(barePort), DATABASE_URL },
    port: barePort,
    readyPath: '/ready',
  });
  const mainB = env.PROBE_MAIN_B ?? (env.PROBE_NODE_FLAGS_B || env.PROBE_APP_ENV_B ? BUILT_MAIN : undefined);
  const appB = mainB
    ? await startApp('probe-app-b', mainB, json<string[]>('PROBE_NODE_FLAGS_B', []), json('PROBE_APP_ENV_B', {}))
    : undefined;

  const login = await call(app.url, '/api/v1/auth/login', {
    body: { login: env.PROBE_LOGIN ?? ADMIN.login, password: env.PROBE_PASSWORD ?? ADMIN.password },
  });
  const me = await call(app.url, '/api/v1/users/current', { token: login.accessToken });
  const headers = { authorization: `Bearer ${login.accessToken}` };
  const sides = [
    { label: 'app', child: app, path: `/api/v1/users/${me.id}` },
    ...(appB ? [{ label: 'appB', child: appB, path: `/api/v1/users/${me.id}` }] : []),
    { label: 'app-unguarded', child: app, path: `/api/v1/bench-unguarded/users/${me.id}` },
    { label: 'bare', child: bare, path: `/users/${me.id}` },
  ].filter((side) => !env.PROBE_SIDES || env.PROBE_SIDES.split(',').includes(side.label));

  const loginWarmup = Number(env.PROBE_LOGIN_WARMUP_SECONDS ?? 0);
  if (loginWarmup > 0) {
    const { token } = await call(app.url, `/api/v1/users/${me.id}/tokens`, { token: login.accessToken, body: { validitySeconds: 86400 } });
    const body = JSON.stringify({ login: me.login, password: token });
    const w = await load({
      url: app.url,
      connections: 32,
      seconds: loginWarmup,
      request: { method: 'POST', path: '/api/v1/auth/login', body },
    });
    process.stdout.write(`token logins on app only: ${w.requestsPerSecond.toFixed(0)} req/s, non-2xx ${w.non2xx}\n`);
  }
  for (const side of sides) await load({ url: side.child.url, connections: 32, seconds: 3, request: { path: side.path, headers } });
  for (let round = 0; round < Number(process.argv[2] ?? 3); round++) {
    for (const side of round % 2 ? [...sides].reverse() : sides) {
      const [server, postgres, self, transactions] = [side.child.cpuMs(), postgresCpuMs(), process.cpuUsage(), await commits()];
      const w = await load({ url: side.child.url, connections: 32, seconds: 5, request: { path: side.path, headers } });
      const transactionsPerRequest = ((await commits()) - transactions - 1) / w.ok; // less the count's own
      const used = process.cpuUsage(self);
      const perRequest = (ms: number) => (ms / w.ok).toFixed(3);
      process.stdout.write(
        `${side.label.padEnd(14)} ${w.requestsPerSecond.toFixed(0).padStart(5)} req/s  CPU ms/req: server ${perRequest(side.child.cpuMs() - server)}` +
          ` postgres ${perRequest(postgresCpuMs() - postgres)} load ${perRequest((used.user + used.system) / 1000)}` +
          `  transactions/req ${transactionsPerRequest.toFixed(2)}  rss ${(side.child.rssBytes() / 1e6).toFixed(0)} MB  non-2xx ${w.non2xx}\n`,
      );
    }
  }
  await Promise.all([app.stop(), bare.stop(), appB?.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
