/**
 * A/B of the built app under two environments (e.g. LOG_LEVEL=info vs warn), same database, alternating windows of
 * the authenticated GET; prints requests/s and CPU ms per answer. For experiments, not part of `npm run bench`.
 * Usage: DATABASE_URL=postgres://.../careid_bench node -r ts-node/register/transpile-only bench/tools/ab-env.ts 'LOG_LEVEL=warn' [rounds]
 */
import { load } from '../lib/load';
import { BUILT_MAIN, freePort, startNode } from '../lib/processes';

async function main(): Promise<void> {
  const [assignment, roundsArg] = process.argv.slice(2);
  const [name, value] = assignment.split('=');
  const base = {
    ...process.env,
    NODE_ENV: 'production',
    ADMIN_LOGIN: 'bench-admin',
    ADMIN_PASSWORD: 'bench-admin-password-0123',
    JWT_SECRET: 'ab-secret-0123456789abcdef0123456789abcdef',
    PUBLIC_URL: 'http://127.0.0.1',
    AUTH_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
  };
  const apps = [];
  for (const [label, extra] of [
    ['A (as is)', {}],
    [`B (${assignment})`, { [name]: value }],
  ] as const) {
    const port = await freePort();
    apps.push({
      label,
      child: await startNode({
        name: `ab-${apps.length}`,
        args: [BUILT_MAIN],
        env: { ...base, ...extra, PORT: String(port) },
        port,
        readyPath: '/health/ready',
      }),
    });
  }
  const login = await fetch(`${apps[0].child.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'bench-admin', password: 'bench-admin-password-0123' }),
  }).then((r) => r.json() as Promise<any>);
  const me = await fetch(`${apps[0].child.url}/api/v1/users/current`, { headers: { authorization: `Bearer ${login.accessToken}` } }).then(
    (r) => r.json() as Promise<any>,
  );
  const request = { path: `/api/v1/users/${me.id}`, headers: { authorization: `Bearer ${login.accessToken}` } };
  for (const { child } of apps) await load({ url: child.url, connections: 32, seconds: 5, request });
  for (let r = 0; r < Number(roundsArg ?? 3); r++) {
    for (const { label, child } of r % 2 ? [...apps].reverse() : apps) {
      const before = child.cpuMs();
      const w = await load({ url: child.url, connections: 32, seconds: 5, request });
      process.stdout.write(
        `${label.padEnd(28)} ${w.requestsPerSecond.toFixed(0).padStart(6)} req/s  cpu/req ${((child.cpuMs() - before) / w.ok).toFixed(3)} ms  non2xx ${w.non2xx}\n`,
      );
    }
  }
  await Promise.all(apps.map(({ child }) => child.stop()));
}

void main();
