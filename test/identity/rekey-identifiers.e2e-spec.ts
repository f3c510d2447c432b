import { randomBytes, randomUUID } from 'node:crypto';
import * as bcrypt from 'bcrypt';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, Persistence, runMigrations } from '@careid/shared';
import { PERSISTENCE } from '../../apps/api/src/persistence';
import { sql } from '../support/db';
import { startTestApp } from '../support/test-app';
import { assertTestDatabaseName, dropTestDatabase, testRunId, testServerUrl, urlForDatabase, withServer } from '../support/test-database';

/** The first migration of the NFKC + case folding keys: databases before it hold lower-cased NFC keys. */
const REKEY_TIMESTAMP = 1796300000000;
const timestampOf = (migration: Function) => Number(/(\d{13})$/.exec(migration.name)![1]);

async function migrate(url: string, parts: Persistence[]): Promise<void> {
  const dataSource = new DataSource(buildDataSourceOptions({ url, poolSize: 2, statementTimeoutMs: 60_000 }, parts));
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

describe('Migration: identifiers re-keyed with NFKC, full case folding and confusable skeletons', () => {
  const name = `careid_test_${testRunId()}_${randomBytes(4).toString('hex')}`;
  const url = urlForDatabase(testServerUrl(), name);
  const ids = Object.fromEntries(['admin', 'strasse1', 'strasse2', 'bob', 'admin2', 'gone', 'zw'].map((key) => [key, randomUUID()]));

  beforeAll(async () => {
    assertTestDatabaseName(name);
    await withServer(testServerUrl(), (client) => client.query(`CREATE DATABASE ${name}`));
    // The schema as it was before the re-keying, with rows keyed the old way (lower-cased NFC).
    await migrate(
      url,
      PERSISTENCE.map((part) => ({ ...part, migrations: part.migrations.filter((m) => timestampOf(m) < REKEY_TIMESTAMP) })),
    );
    const user = (id: string, created: number, login: string, email: string | null, deleted = false) =>
      sql(
        url,
        `INSERT INTO users (id, rev, created, modified, deletion_date, login, login_key, email, email_key, group_id)
         VALUES ($1, '1-0', $2, $2, $3, $4, lower($4), $5, lower($5), 'default')`,
        [id, created, deleted ? created : null, login.normalize('NFC'), email],
      );
    await user(ids.admin, 1, 'admin', 'admin@x.test');
    await user(ids.strasse1, 2, 'Straße', 'Straße@x.test');
    await user(ids.strasse2, 3, 'STRASSE', 'STRASSE@x.test'); // the same login and email under the new keys
    await user(ids.bob, 4, 'ＢＯＢ', null);
    await user(ids.admin2, 5, 'Admın', null); // dotless ı: a look-alike of admin
    await user(ids.gone, 6, 'strasse', 'strasse@x.test', true); // deleted: claims nothing
    await user(ids.zw, 7, 'ad\u200Bmin', null); // accepted by the old rules
    await sql(url, `INSERT INTO login_failures (login_key, failures, lock_level, locked_until, updated) VALUES ('ｂｏｂ', 5, 1, $1, 1)`, [
      Date.now() + 60_000,
    ]);
    const invitation = (created: number, email: string) =>
      sql(
        url,
        `INSERT INTO invitations (id, kind, user_id, email, email_key, channel, profile_type, profile_id, expires_at, created)
         VALUES ($1, 'profile', $2, $3, lower($3), 'link', 'Practitioner', $2, $4, $5)`,
        [randomUUID(), randomUUID(), email, Date.now() + 3_600_000, created],
      );
    await invitation(1, 'Weiß@x.test');
    await invitation(2, 'WEISS@x.test');

    await migrate(url, PERSISTENCE);
  });
  afterAll(async () => {
    await dropTestDatabase(name);
  });

  it('computes every key again; the oldest live user keeps a key that now collides', async () => {
    const rows = await sql(url, 'SELECT id, login_key, login_skeleton, email_key FROM users');
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId[ids.strasse1]).toMatchObject({ login_key: 'strasse', login_skeleton: 'strasse', email_key: 'strasse@x.test' });
    expect(byId[ids.strasse2].login_key).toBe(`strasse\u0001${ids.strasse2}`);
    expect(byId[ids.strasse2].email_key).toBe(`strasse@x.test\u0001${ids.strasse2}`);
    expect(byId[ids.bob]).toMatchObject({ login_key: 'bob', login_skeleton: 'bob' });
    expect(byId[ids.admin2]).toMatchObject({ login_key: 'admın', login_skeleton: `adrnin\u0001${ids.admin2}` });
    expect(byId[ids.zw].login_skeleton).toBe(`adrnin\u0001${ids.zw}`);
    expect(byId[ids.gone]).toMatchObject({ login_key: 'strasse', email_key: 'strasse@x.test' });
    const lock = await sql(url, 'SELECT login_key, failures FROM login_failures');
    expect(lock).toEqual([{ login_key: 'bob', failures: 5 }]);
    const invitations = await sql(url, 'SELECT email, email_key FROM invitations ORDER BY created');
    expect(invitations[0].email_key).toBe('weiss@x.test');
    expect(invitations[1].email_key.startsWith('weiss@x.test\u0001')).toBe(true);
  });

  it('reports each collision as an IDENTIFIER_COLLISION audit event', async () => {
    const events = await sql(url, `SELECT target_id, details FROM audit_events WHERE type = 'IDENTIFIER_COLLISION' ORDER BY id`);
    const users = events.filter((event) => event.details.table === 'users');
    expect(users.map((event) => [event.target_id, event.details.field, event.details.collidesWith])).toEqual([
      [ids.strasse2, 'login', ids.strasse1],
      [ids.strasse2, 'email', ids.strasse1],
      [ids.admin2, 'loginSkeleton', ids.admin],
      [ids.zw, 'loginSkeleton', ids.admin],
    ]);
    expect(events.filter((event) => event.details.table === 'invitations')).toHaveLength(1);
  });

  it('leaves a database the app runs on: the old full-width login answers to its plain form, and its lock moved with it', async () => {
    // The old rows hold a login `admin` the seeder did not create: the app is seeded under another admin login.
    const app = await startTestApp({ database: { name, url }, env: { ADMIN_LOGIN: 'rekey-admin' } });
    try {
      const password = 'a fine long passphrase';
      await sql(url, `UPDATE users SET password_hash = $2 WHERE id = $1`, [ids.bob, await bcrypt.hash(password, 4)]);
      const login = await app.http.post('/api/v1/auth/login', { login: 'bob', password });
      // Bob's lock moved with his key: still locked (429), not an unknown login's 401.
      expect(login.status).toBe(429);
      await sql(url, 'DELETE FROM login_failures');
      expect((await app.http.post('/api/v1/auth/login', { login: 'Bob', password })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
