import { ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const RESULTS = join(ROOT, 'bench', 'results');
/** The bench's build of the app (bench/app/main.ts: the production entry plus the unguarded route), `npm run bench:build`. */
export const BUILT_MAIN = join(ROOT, 'dist', 'bench', 'bench', 'app', 'main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The fields of /proc/<pid>/stat after the command name: [1] is the parent's pid, [11..14] utime, stime, cutime, cstime. */
function statFieldsOf(pid: number | string): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const fields = statFieldsOf(pid);
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU time of PostgreSQL on this machine so far, in ms: every running postgres process, plus what the postmasters
 * collected from backends and workers that have exited (cutime + cstime). Its difference over a window, divided by
 * the window's answers, is the database's share of each request.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const fields = statFieldsOf(pid);
      total += (Number(fields[11]) + Number(fields[12])) * 10;
      const parent = readFileSync(`/proc/${fields[1]}/comm`, 'utf8').trim();
      if (parent !== 'postgres') total += (Number(fields[13]) + Number(fields[14])) * 10;
    } catch {
      // gone in between
    }
  }
  return total;
}

export interface Child {
  name: string;
  url: string;
  process: ChildProcess;
  /** Milliseconds from spawn to the first good readiness answer. */
  readyAfterMs: number;
  rssBytes(): number;
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Resident set size of a process, from /proc (VmRSS). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

async function waitReady(url: string, child: ChildProcess, name: string, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready; see ${logFile}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms; see ${logFile}`);
}

export interface SpawnOptions {
  name: string;
  /** Arguments to `node` (script first, after any node flags). */
  args: string[];
  env: Record<string, string | undefined>;
  port: number;
  readyPath: string;
  timeoutMs?: number;
}

/** Starts a node process whose output goes to bench/results/<name>.log, and waits until `readyPath` answers 2xx. */
/** Every child still starting or running, so an interrupted bench stops them all (see killStarting). */
const starting = new Set<ChildProcess>();

/** Kills children that were still starting when the bench was interrupted (those that were ready are stopped by their owner). */
export function killStarting(): void {
  for (const child of starting) child.kill('SIGKILL');
}

export async function startNode(options: SpawnOptions): Promise<Child> {
  const logFile = join(RESULTS, `${options.name}.log`);
  const out = openSync(logFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, options.args, { cwd: ROOT, env: options.env as NodeJS.ProcessEnv, stdio: ['ignore', out, out] });
  const url = `http://127.0.0.1:${options.port}`;
  starting.add(child);
  try {
    await waitReady(`${url}${options.readyPath}`, child, options.name, options.timeoutMs ?? 60_000, logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    starting.delete(child);
  }
  const readyAfterMs = Number(process.hrtime.bigint() - started) / 1e6;
  let stopped: Promise<void> | undefined;
  return {
    name: options.name,
    url,
    process: child,
    readyAfterMs,
    rssBytes: () => rssOf(child.pid!),
    cpuMs: () => cpuMsOf(child.pid!),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      });
      return stopped;
    },
  };
}
