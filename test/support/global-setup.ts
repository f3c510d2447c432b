import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Once per `jest` run: find or start a PostgreSQL server, then build the
 * migrated template database every e2e file clones.
 */
export default async function globalSetup(): Promise<void> {
  // Global setup runs outside Jest's module mapper: resolve the @careid/* aliases here.
  const root = resolve(__dirname, '../..');
  require('tsconfig-paths').register({ baseUrl: root, paths: require(join(root, 'tsconfig.json')).compilerOptions.paths });
  const { startEmbeddedPostgres } = require('@careid/shared') as typeof import('@careid/shared');
  const { migrateTemplate } = require('./template') as typeof import('./template');

  process.env.CAREID_TEST_RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const parent = mkdtempSync(join(tmpdir(), 'careid-test-pg-'));
    chmodSync(parent, 0o755); // as root, the server runs as `postgres`, which must reach its data folder
    const embedded = await startEmbeddedPostgres({ dataDir: join(parent, 'data'), ephemeral: true });
    (globalThis as { __careidEmbedded?: unknown }).__careidEmbedded = embedded;
    serverUrl = embedded.urlFor('postgres');
  }
  process.env.CAREID_TEST_SERVER_URL = serverUrl;
  await migrateTemplate(serverUrl);
}
