import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { buildDataSourceOptions, Persistence, runMigrations } from '@careid/shared';
import { OneIdSpaceForDataOwners1796200000000 } from '../../libs/shared/src/data-owners/migrations/1796200000000-OneIdSpaceForDataOwners';
import { PERSISTENCE } from '../../apps/api/src/persistence';
import { sql } from '../support/db';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const FIRST_OF_ONE_ID_SPACE = 1796200000000;
const timestampOf = (migration: Function) => Number(/(\d{13})$/.exec(migration.name)![1]);

/** The migrations as they stood before data owners had one id space (the schema's old shape). */
const BEFORE: Persistence[] = PERSISTENCE.map((part) => ({
  entities: [],
  migrations: part.migrations.filter((migration) => timestampOf(migration) < FIRST_OF_ONE_ID_SPACE),
}));

async function migrate(url: string, parts: Persistence[]): Promise<string[]> {
  const dataSource = new DataSource(buildDataSourceOptions({ url, poolSize: 2, statementTimeoutMs: 60_000 }, parts));
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function insertPractitioner(url: string, id: string): Promise<void> {
  await sql(
    url,
    `INSERT INTO practitioners (id, rev, created, modified, family_first_key, given_first_key) VALUES ($1, '1-0', 1, 1, 'crates', 'hippo')`,
    [id],
  );
}

async function insertPatient(url: string, id: string, delegate: string): Promise<void> {
  await sql(
    url,
    `INSERT INTO patients (id, rev, created, modified, family_first_key, given_first_key, document, system_meta_data)
     VALUES ($1, '1-0', 1, 1, 'poquelin', 'argan', '{}', '{}')`,
    [id],
  );
  await sql(url, 'INSERT INTO patient_delegations (data_owner_id, patient_id) VALUES ($1, $2)', [delegate, id]);
}

describe('Migration to one id space for data owners, on a database of the old shape', () => {
  const databases: string[] = [];
  let url: string;
  const practitioner = randomUUID();
  const colleague = randomUUID();
  const patient = randomUUID();
  const notification = randomUUID();

  beforeAll(async () => {
    const database = await createTestDatabase();
    databases.push(database.name);
    url = database.url;
    await sql(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await migrate(url, BEFORE);
    await insertPractitioner(url, practitioner);
    await insertPractitioner(url, colleague);
    await insertPatient(url, patient, practitioner);
    // The finding: a patient made with the colleague's id, delegated to the practitioner who made it.
    await insertPatient(url, colleague, practitioner);
    await sql(
      url,
      `INSERT INTO notifications (id, rev, created, modified, type, responsible, author, recipient)
       VALUES ($1, '1-0', 1, 1, 'NEW_USER_OWN_DATA_ACCESS', $2, $3, $4)`,
      [notification, patient, randomUUID(), colleague],
    );
  });
  afterAll(async () => {
    for (const name of databases) await dropTestDatabase(name);
  });

  it('warns of each id a patient and a practitioner share', async () => {
    const client = new Client({ connectionString: url });
    const notices: string[] = [];
    client.on('notice', (notice) => notices.push(`${notice.severity}: ${notice.message}`));
    await client.connect();
    try {
      await client.query('BEGIN');
      const runner = { query: (text: string) => client.query(text).then((result) => result.rows) } as unknown as QueryRunner;
      await expect(new OneIdSpaceForDataOwners1796200000000().up(runner)).rejects.toThrow(colleague);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
    expect(notices).toEqual([`WARNING: data owner id ${colleague} names both a patient and a practitioner`]);
  });

  it('refuses to run while they do, naming the ids and changing nothing', async () => {
    await expect(migrate(url, PERSISTENCE)).rejects.toThrow(`Patients and practitioners share 1 id(s): ${colleague}`);
    expect(await sql(url, `SELECT to_regclass('data_owners') AS t`)).toEqual([{ t: null }]);
    const applied = await sql(url, `SELECT name FROM migrations WHERE timestamp >= $1`, [FIRST_OF_ONE_ID_SPACE]);
    expect(applied).toEqual([]);
    expect(await sql(url, 'SELECT count(*)::int AS n FROM patients')).toEqual([{ n: 2 }]);
  });

  it('once the collision is resolved, gives every patient and practitioner its data owner row and keeps the id space', async () => {
    // What an operator would do after deciding whom the id belonged to: here, the colleague keeps it.
    await sql(url, 'DELETE FROM patient_delegations WHERE patient_id = $1', [colleague]);
    await sql(url, 'DELETE FROM patients WHERE id = $1', [colleague]);

    const applied = await migrate(url, PERSISTENCE);
    expect(applied).toEqual(expect.arrayContaining(['OneIdSpaceForDataOwners1796200000000', 'NotificationRecipientKind1796200001000']));

    const owners = await sql(url, 'SELECT id, kind FROM data_owners');
    expect(owners).toHaveLength(3);
    expect(owners).toEqual(
      expect.arrayContaining([
        { id: patient, kind: 'patient' },
        { id: practitioner, kind: 'practitioner' },
        { id: colleague, kind: 'practitioner' },
      ]),
    );
    // The one existing notification went to a practitioner, and says so.
    expect(await sql(url, 'SELECT recipient, recipient_kind FROM notifications')).toEqual([
      { recipient: colleague, recipient_kind: 'practitioner' },
    ]);
    // From now on PostgreSQL refuses a patient with a practitioner's id, and a row whose id no data owner claimed.
    await expect(sql(url, `INSERT INTO data_owners (id, kind) VALUES ($1, 'patient')`, [colleague])).rejects.toMatchObject({
      code: '23505',
      constraint: 'data_owners_pkey',
    });
    await expect(insertPatient(url, randomUUID(), practitioner)).rejects.toMatchObject({
      code: '23503',
      constraint: 'fk_patients_data_owner',
    });
    await expect(insertPractitioner(url, randomUUID())).rejects.toMatchObject({ code: '23503', constraint: 'fk_practitioners_data_owner' });
  });
});
