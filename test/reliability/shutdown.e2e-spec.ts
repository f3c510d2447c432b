import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { sql } from '../support/db';
import { figures } from '../support/figures';
import { TEST_ADMIN, TEST_ENV } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** The real entry point (main.ts) in its own process, stopped with SIGTERM while a request is in flight. */
describe('Graceful shutdown', () => {
  it('finishes in-flight requests, refuses new ones, closes the pool and exits 0', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'],
      {
        cwd: resolve(__dirname, '../..'),
        env: { ...process.env, ...TEST_ENV, DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const base = `http://127.0.0.1:${port}`;
    const blocker = new Client({ connectionString: database.url });
    try {
      for (let i = 0; i < 600; i++) {
        if ((await fetch(`${base}/health/ready`).catch(() => undefined))?.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TEST_ADMIN),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const me = await fetch(`${base}/api/v1/users/current`, { headers: { authorization: `Bearer ${accessToken}` } });
      const { id } = (await me.json()) as { id: string };

      // Hold the users table so that a read and a write stay in flight, then ask the process to stop.
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const inFlight = fetch(`${base}/api/v1/users/${id}`, { headers: { authorization: `Bearer ${accessToken}` } });
      const writeInFlight = fetch(`${base}/api/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ login: `inflight-${Date.now()}` }),
      });
      // Wait until both requests really wait on the lock inside PostgreSQL.
      // (Asked on a connection of its own: inside the blocker's transaction, pg_stat_activity would be a stale snapshot.)
      let waitingOnLock = 0;
      for (let i = 0; i < 100 && waitingOnLock < 2; i++) {
        const waiting = await sql(
          database.url,
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'careid' AND wait_event_type = 'Lock' AND datname = $1",
          [database.name],
        );
        waitingOnLock = waiting[0].n;
        if (waitingOnLock < 2) await new Promise((r) => setTimeout(r, 50));
      }
      expect(waitingOnLock).toBe(2);
      const stopAt = Date.now();
      child.kill('SIGTERM');
      // New requests are refused (or answered 503) once the server stops listening.
      let during: number | string = 200;
      for (let i = 0; i < 100 && during === 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        during = await fetch(`${base}/health/live`, { headers: { connection: 'close' } })
          .then((r) => r.status)
          .catch(() => 'refused');
      }
      await blocker.query('ROLLBACK');
      const finished = await inFlight;
      const read = finished.status === 200 ? ((await finished.json()) as { id: string }) : undefined;
      const written = await writeInFlight;
      const created = written.status === 201 ? ((await written.json()) as { id: string }) : undefined;
      const code = await exited;
      const stopMs = Date.now() - stopAt;
      if (code !== 0) console.log(output.slice(-3000));
      // The write was acknowledged before the process exited: its row must be there.
      const stored = created ? await sql(database.url, 'SELECT id FROM users WHERE id = $1', [created.id]) : [];
      const inFlightCompleted = (read?.id === id ? 1 : 0) + (created ? 1 : 0);
      figures.record('faults', 'SIGTERM with a read and a write in flight', {
        inFlight: 2,
        inFlightCompleted,
        newRequestRefused: ['refused', 503].includes(during) ? 1 : 0,
        exitCode: code ?? -1,
        stopMs,
        // In-flight requests dropped, plus acknowledged writes missing from the database.
        lost: 2 - inFlightCompleted + (created ? 1 - stored.length : 0),
      });
      expect(finished.status).toBe(200);
      expect(read?.id).toBe(id);
      expect(written.status).toBe(201);
      expect(stored).toHaveLength(1);
      expect(['refused', 503]).toContain(during);
      expect(code).toBe(0);
      expect(stopMs).toBeLessThan(10_000);
      expect(output).toContain('SIGTERM received');
      const connections = await sql(
        database.url,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'careid%' AND datname = $1",
        [database.name],
      );
      expect(connections[0].n).toBe(0);
    } finally {
      await blocker.end().catch(() => undefined);
      if (child.exitCode === null) child.kill('SIGKILL');
      await dropTestDatabase(database.name);
    }
  }, 90_000);
});
