import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { HttpClient } from './http';
import { TEST_ENV } from './test-app';

/** A loopback port nothing listens on right now. */
export const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** The real entry point (apps/api/src/main.ts), run from source in a process of its own. */
export interface AppProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  http: HttpClient;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** What the process wrote to stdout and stderr (the last 1 MB). */
  output(): string;
  /** Waits until `/health/ready` answers 200; fails at once if the process exits first. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown hook runs, as in a crash. Resolves once the process is gone. */
  crash(): Promise<void>;
  /** SIGTERM (graceful), then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 1_000_000;

/**
 * Spawns main.ts with TEST_ENV plus `env` (an `undefined` value removes a variable). It is a separate
 * Node process: nothing (caches, the logger, timers) is shared with the test or another app.
 */
export async function spawnApp(options: { env?: Record<string, string | undefined>; port?: number } = {}): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(
    process.execPath,
    // As `node -r ts-node/register/transpile-only`, with the transpiled files cached (see ts-node-cached.js).
    ['-r', './test/support/ts-node-cached.js', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'],
    {
      cwd: resolve(__dirname, '../..'),
      env: { ...process.env, ...TEST_ENV, PORT: String(port), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const gone = () => child.exitCode !== null || child.signalCode !== null;

  return {
    child,
    port,
    baseUrl,
    http: new HttpClient(baseUrl),
    exited,
    output: () => output,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (gone())
          throw new Error(`app process exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output.slice(-3000)}`);
        const status = await fetch(`${baseUrl}/health/ready`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return;
        if (Date.now() > deadline) throw new Error(`app process not ready within ${timeoutMs} ms:\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async crash() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 15_000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
