/** Drops what the run created (template and any database a crashed file left) and stops the embedded server. */
export default async function globalTeardown(): Promise<void> {
  const { withServer, testRunId } = require('./test-database') as typeof import('./test-database');
  const serverUrl = process.env.CAREID_TEST_SERVER_URL;
  const embedded = (globalThis as { __careidEmbedded?: { stop(): Promise<void> } }).__careidEmbedded;
  if (serverUrl && !embedded) {
    await withServer(serverUrl, async (client) => {
      const prefix = `careid_test_${testRunId()}_`;
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  }
  await embedded?.stop();
}
