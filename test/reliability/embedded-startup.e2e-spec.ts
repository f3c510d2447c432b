import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, spawnApp } from '../support/app-process';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The embedded server's pid while its postmaster.pid names a live process, else null. */
function livePostgresPid(dataDir: string): number | null {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** main.ts in its own process, without DATABASE_URL: it starts an embedded PostgreSQL in `dataDir`. */
function startMain(dataDir: string, port: number): Promise<AppProcess> {
  return spawnApp({ port, env: { DATABASE_URL: undefined, EMBEDDED_PG_DIR: dataDir } });
}

/** A port something else already listens on. */
async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
  return { port: (server.address() as { port: number }).port, server };
}

describe('Embedded PostgreSQL when start-up does not finish', () => {
  let parent: string;
  let dataDir: string;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'careid-startup-'));
    chmodSync(parent, 0o755); // as root, the server runs as `postgres`, which must reach its data folder
    dataDir = join(parent, 'data');
  });

  afterEach(async () => {
    // A server the app left behind (the bug under test) is stopped here, so it does not outlive the test.
    const pid = livePostgresPid(dataDir);
    if (pid) process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && livePostgresPid(dataDir); i++) await sleep(100);
    rmSync(parent, { recursive: true, force: true });
  });

  it('is stopped when start-up fails after it is up (port already in use)', async () => {
    const { port, server } = await busyPort();
    try {
      const main = await startMain(dataDir, port);
      const code = await main.exited;
      expect(main.output()).toContain('EADDRINUSE');
      expect(code).toBe(1);
      expect(livePostgresPid(dataDir)).toBeNull();
    } finally {
      server.close();
    }
  }, 90_000);

  it('is stopped by a SIGTERM that arrives while it is starting', async () => {
    const main = await startMain(dataDir, 0);
    try {
      // The server process exists (it wrote its pid file) but has not said it is ready yet, or just has.
      for (let i = 0; i < 3000 && !livePostgresPid(dataDir) && main.child.exitCode === null; i++) await sleep(10);
      expect(livePostgresPid(dataDir)).not.toBeNull();
      main.child.kill('SIGTERM');
      const code = await main.exited;
      if (code !== 0) console.log(main.output().slice(-3000));
      expect(code).toBe(0);
      expect(livePostgresPid(dataDir)).toBeNull();
    } finally {
      if (main.child.exitCode === null) main.child.kill('SIGKILL');
    }
  }, 90_000);
});
