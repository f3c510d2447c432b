import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Each e2e file gets its own database, cloned from a migrated template, on the
 * server named by TEST_DATABASE_URL (or the embedded one global setup started).
 * Nothing here touches a database whose name does not say it is a test database.
 */
const TEST_NAME = /^careid_test_[a-z0-9_]+$/;

/** One id per jest run, so concurrent runs on one server never touch each other's databases. */
export function testRunId(): string {
  const id = process.env.CAREID_TEST_RUN;
  if (!id) throw new Error('CAREID_TEST_RUN is not set: run e2e tests through jest (global setup sets it)');
  return id;
}

export function templateDatabase(runId = testRunId()): string {
  return `careid_test_${runId}_template`;
}

export function testServerUrl(): string {
  const url = process.env.CAREID_TEST_SERVER_URL;
  if (!url) throw new Error('CAREID_TEST_SERVER_URL is not set: run e2e tests through jest (global setup sets it)');
  return url;
}

export function urlForDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function assertTestDatabaseName(name: string): void {
  if (!TEST_NAME.test(name)) throw new Error(`Refusing to touch database "${name}": test databases are named careid_test_*`);
}

export async function withServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(serverUrl = testServerUrl()): Promise<{ name: string; url: string }> {
  const name = `careid_test_${testRunId()}_${randomBytes(4).toString('hex')}`;
  assertTestDatabaseName(name);
  await withServer(serverUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase()}`);
        return;
      } catch (error) {
        // Another file cloning the template at the same instant: try again shortly.
        if (attempt < 20 && /being accessed by other users/.test((error as Error).message)) {
          await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
          continue;
        }
        throw error;
      }
    }
  });
  return { name, url: urlForDatabase(serverUrl, name) };
}

export async function dropTestDatabase(name: string, serverUrl = testServerUrl()): Promise<void> {
  assertTestDatabaseName(name);
  await withServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
