import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrations } from '@careid/shared';
import { PERSISTENCE } from '../../apps/api/src/persistence';
import { templateDatabase, urlForDatabase, withServer } from './test-database';

/** (Re)creates the template database and runs every migration on it. */
export async function migrateTemplate(serverUrl: string): Promise<void> {
  const template = templateDatabase();
  await withServer(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  const dataSource = new DataSource(
    buildDataSourceOptions({ url: urlForDatabase(serverUrl, template), poolSize: 2, statementTimeoutMs: 60_000 }, PERSISTENCE),
  );
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
