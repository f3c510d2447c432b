import { freePort, spawnApp } from '../support/app-process';

/** What an operator reads when start-up fails for a reason they can fix: one line naming the setting. */
describe('Start-up errors', () => {
  it('names DATABASE_URL (without its password) on one line when the database cannot be reached, and exits 1', async () => {
    const closedPort = await freePort();
    const app = await spawnApp({ env: { DATABASE_URL: `postgres://careid:s3cret@127.0.0.1:${closedPort}/careid` } });
    expect(await app.exited).toBe(1);
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes('Cannot reach the database'));
    expect(line).toContain(`DATABASE_URL=postgres://careid:***@127.0.0.1:${closedPort}/careid (ECONNREFUSED)`);
    expect(app.output()).not.toContain('s3cret');
  }, 60_000);

  it('names the variable and its problem when the configuration is malformed, before anything starts', async () => {
    const app = await spawnApp({ env: { CORS_ORIGINS: 'https://app.example/' } });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('CORS_ORIGINS entries must be exact origins such as https://app.example');
  }, 60_000);
});
