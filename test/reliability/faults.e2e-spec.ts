import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres, startEmbeddedPostgres } from '@careid/shared';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { figures } from '../support/figures';
import { createUser, loginAsAdmin, unique } from '../support/session';
import { startTestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Faults on a PostgreSQL server this test owns (never the shared one the
 * other files use): it is stopped while requests flow, then started again.
 */
describe('Database outage', () => {
  let root: string;
  let server: EmbeddedPostgres;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'careid-outage-'));
    chmodSync(root, 0o755);
    server = await startEmbeddedPostgres({ dataDir: join(root, 'data') });
    await server.ensureDatabase('careid_test_outage'); // the app migrates it at start, as in production
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers 503 while the database is down, serves again within 5 s after, and keeps every acknowledged write', async () => {
    const database = { name: 'careid_test_outage', url: server.urlFor('careid_test_outage') };
    const t = await startTestApp({ database, env: { DB_STATEMENT_TIMEOUT_MS: '1500' } });
    const acknowledged: string[] = [];
    const statuses: number[] = [];
    const unexpected: string[] = [];
    let slowest = 0;
    let crashed = false;
    let stopWriter = () => {};
    t.app.getHttpServer().on('error', () => (crashed = true));
    try {
      const admin: HttpClient = await loginAsAdmin(t.http);
      let flowing = true;
      stopWriter = () => (flowing = false);
      const writer = (async () => {
        while (flowing) {
          const login = unique('w');
          const started = Date.now();
          const response = await admin
            .post('/api/v1/users', { login })
            .catch(() => ({ status: 0, body: undefined as any, headers: new Headers() }));
          slowest = Math.max(slowest, Date.now() - started);
          statuses.push(response.status);
          if (response.status === 201) acknowledged.push(response.body.id);
          else if (response.status >= 500 && response.status !== 503) unexpected.push(JSON.stringify(response.body));
          await sleep(20);
        }
      })();
      await sleep(300);
      await server.stop();
      await sleep(1500);
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(503);
      const during = await admin.get('/api/v1/users/current');
      expect(during.status).toBe(503);
      expect(during.headers.get('content-type')).toContain('application/problem+json');
      expect(during.body.code).toBe('DATABASE_UNAVAILABLE');

      const restartedAt = Date.now();
      server = await startEmbeddedPostgres({ dataDir: join(root, 'data'), port: server.port });
      let recoveredAfter = -1;
      while (Date.now() - restartedAt < 10_000) {
        if ((await t.http.get('/health/ready')).status === 200 && (await admin.get('/api/v1/users/current')).status === 200) {
          recoveredAfter = Date.now() - restartedAt;
          break;
        }
        await sleep(100);
      }
      flowing = false;
      await writer;
      expect(recoveredAfter).toBeGreaterThanOrEqual(0);
      expect(recoveredAfter).toBeLessThan(5000);
      expect(crashed).toBe(false);
      expect(slowest).toBeLessThan(1500 + 3000 + 1000); // query timeout + connection timeout + margin: no hang
      const stored = await sql(database.url, 'SELECT id FROM users WHERE id = ANY($1::uuid[])', [acknowledged]);
      expect(stored.length).toBe(acknowledged.length);
      figures.record('faults', 'database outage', {
        requests: statuses.length,
        acknowledgedWrites: acknowledged.length,
        unavailable503: statuses.filter((s) => s === 503).length,
        recoveredAfterMs: recoveredAfter,
        lost: acknowledged.length - stored.length,
      });
      expect(unexpected).toEqual([]);
    } finally {
      stopWriter();
      if (process.env.DEBUG_OUTAGE)
        console.log(
          t.logs
            .filter((l) => (l.level as number) >= 40)
            .map((l) => JSON.stringify(l))
            .join('\n'),
        );
      await t.app.close();
    }
  }, 60_000);
});

describe('Slow database', () => {
  it('gives 503 when a query exceeds the statement timeout, without hanging', async () => {
    const t = await startTestApp({ env: { DB_STATEMENT_TIMEOUT_MS: '400' } });
    const blocker = new Client({ connectionString: t.database.url });
    try {
      const admin = await loginAsAdmin(t.http);
      const { user } = await createUser(admin);
      await admin.get(`/api/v1/users/${user.id}`); // warm the session cache
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const response = await admin.get(`/api/v1/users/${user.id}`);
      const elapsed = Date.now() - started;
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('DATABASE_TIMEOUT');
      expect(elapsed).toBeLessThan(2000);
      await blocker.query('ROLLBACK');
      expect((await admin.get(`/api/v1/users/${user.id}`)).status).toBe(200);
      figures.record('faults', 'slow database (statement timeout)', {
        timeoutMs: 400,
        answeredInMs: elapsed,
        status: response.status,
        lost: 0,
      });
    } finally {
      await blocker.end().catch(() => undefined);
      await t.close();
    }
  });
});
