import { Client } from 'pg';
import { spawnApp } from '../support/app-process';
import { sql } from '../support/db';
import { figures } from '../support/figures';
import { TEST_ADMIN } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

/** The real entry point (main.ts) in its own process, stopped with SIGTERM while a request is in flight. */
describe('Graceful shutdown', () => {
  it('finishes in-flight requests, refuses new ones, closes the pool and exits 0', async () => {
    const database = await createTestDatabase();
    const app = await spawnApp({ env: { DATABASE_URL: database.url, LOG_LEVEL: 'info' } });
    const { child, exited } = app;
    const base = app.baseUrl;
    const blocker = new Client({ connectionString: database.url });
    try {
      await app.ready();
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
      if (code !== 0) console.log(app.output().slice(-3000));
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
      expect(app.output()).toContain('SIGTERM received');
      const connections = await sql(
        database.url,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'careid%' AND datname = $1",
        [database.name],
      );
      expect(connections[0].n).toBe(0);
    } finally {
      await blocker.end().catch(() => undefined);
      await app.crash();
      await dropTestDatabase(database.name);
    }
  }, 90_000);
});
