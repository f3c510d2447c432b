/**
 * Where the machine's CPU goes per authenticated GET: server process, PostgreSQL backends, the load generator.
 * Experiment tool. Usage: DATABASE_URL=.../careid_bench node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/tools/probe-cpu.ts [rounds]
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { load } from '../lib/load';
import { BUILT_MAIN, freePort, postgresCpuMs, ROOT, startNode } from '../lib/processes';

async function commits(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()');
  await c.end();
  return Number(rows[0].n);
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL!;
  const JWT_SECRET = 'probe-secret-0123456789abcdef0123456789abcdef';
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    ADMIN_LOGIN: 'bench-admin',
    ADMIN_PASSWORD: 'bench-admin-password-0123',
    JWT_SECRET,
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    BENCH_UNGUARDED_ROUTES: '1',
    ...JSON.parse(process.env.PROBE_APP_ENV ?? '{}'),
  };
  const appPort = await freePort();
  const app = await startNode({
    name: 'probe-app',
    args: [...JSON.parse(process.env.PROBE_NODE_FLAGS ?? '[]'), BUILT_MAIN],
    env: { ...env, PORT: String(appPort), PUBLIC_URL: 'http://127.0.0.1' },
    port: appPort,
    readyPath: '/health/ready',
  });
  const barePort = await freePort();
  const bare = await startNode({
    name: 'probe-bare',
    args: [
      ...JSON.parse(process.env.PROBE_NODE_FLAGS ?? '[]'),
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(ROOT, 'bench', 'baselines', 'bare-read-server.ts'),
    ],
    env: { ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), PORT: String(barePort), DATABASE_URL: url },
    port: barePort,
    readyPath: '/ready',
  });
  const login = (await fetch(`${app.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      login: process.env.PROBE_LOGIN ?? 'bench-admin',
      password: process.env.PROBE_PASSWORD ?? 'bench-admin-password-0123',
    }),
  }).then((r) => r.json())) as any;
  const me = (await fetch(`${app.url}/api/v1/users/current`, { headers: { authorization: `Bearer ${login.accessToken}` } }).then((r) =>
    r.json(),
  )) as any;
  const mainB = process.env.PROBE_MAIN_B ?? (process.env.PROBE_NODE_FLAGS_B ? BUILT_MAIN : undefined);
  const appBPort = await freePort();
  const appB = mainB
    ? await startNode({
        name: 'probe-app-b',
        args: [...JSON.parse(process.env.PROBE_NODE_FLAGS_B ?? '[]'), mainB],
        env: { ...env, ...JSON.parse(process.env.PROBE_APP_ENV_B ?? '{}'), PORT: String(appBPort), PUBLIC_URL: 'http://127.0.0.1' },
        port: appBPort,
        readyPath: '/health/ready',
      })
    : undefined;
  const sides = [
    { label: 'app', child: app, path: `/api/v1/users/${me.id}` },
    ...(appB ? [{ label: 'appB', child: appB, path: `/api/v1/users/${me.id}` }] : []),
    { label: 'app-unguarded', child: app, path: `/api/v1/bench-unguarded/users/${me.id}` },
    { label: 'bare', child: bare, path: `/users/${me.id}` },
  ].filter((s) => !process.env.PROBE_SIDES || process.env.PROBE_SIDES.split(',').includes(s.label));
  const headers = { authorization: `Bearer ${login.accessToken}` };
  const loginWarmup = Number(process.env.PROBE_LOGIN_WARMUP_SECONDS ?? 0);
  if (loginWarmup > 0) {
    const created = (await fetch(`${app.url}/api/v1/users/${me.id}/tokens`, {
      method: 'POST',
      headers: { ...headersOf(login.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ validitySeconds: 86400 }),
    }).then((r) => r.json())) as any;
    const w = await load({
      url: app.url,
      connections: 32,
      seconds: loginWarmup,
      request: { method: 'POST', path: '/api/v1/auth/login', body: JSON.stringify({ login: me.login, password: created.token }) },
    });
    process.stdout.write(`token logins on app only: ${w.requestsPerSecond.toFixed(0)} req/s, non2xx ${w.non2xx}\n`);
  }
  for (const s of sides) await load({ url: s.child.url, connections: 32, seconds: 3, request: { path: s.path, headers } });
  for (let r = 0; r < Number(process.argv[2] ?? 3); r++) {
    for (const s of r % 2 ? [...sides].reverse() : sides) {
      const server0 = s.child.cpuMs();
      const pg0 = postgresCpuMs();
      const self0 = process.cpuUsage();
      const c0 = await commits(url);
      const w = await load({ url: s.child.url, connections: 32, seconds: 5, request: { path: s.path, headers } });
      const c1 = await commits(url);
      const self = process.cpuUsage(self0);
      const n = w.ok;
      const f = (x: number) => (x / n).toFixed(3).padStart(6);
      process.stdout.write(
        `${s.label.padEnd(14)} ${w.requestsPerSecond.toFixed(0).padStart(5)} req/s  ms/req: server ${f(s.child.cpuMs() - server0)} pg ${f(postgresCpuMs() - pg0)} loadgen ${f((self.user + self.system) / 1000)}  xacts/req ${((c1 - c0 - 2) / n).toFixed(2)} rss ${(s.child.rssBytes() / 1e6).toFixed(0)} MB  non2xx ${w.non2xx}\n`,
      );
    }
  }
  await Promise.all([app.stop(), bare.stop(), appB?.stop()]);
}
function headersOf(token: string) {
  return { authorization: `Bearer ${token}` };
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
