import { load, median, Request, Window } from './load';
import { Child, postgresCpuMs } from './processes';
import { Figures, ScenarioResult } from './report';
import { SECONDS, WARMUP_SECONDS, log } from './settings';

export interface Target {
  url: string;
  /** The server process, to charge its CPU time to the window. */
  server?: Child;
  request: Request | (() => Promise<Request>);
  connections: number;
  /** Windows this many times BENCH_SECONDS: bcrypt-bound routes answer a few times a second, so their windows are longer. */
  lengthFactor?: number;
  perConnection?: () => Promise<(() => { body: () => string; onResponse: (status: number, body: string) => void }) | undefined>;
}

const windows = new Map<string, Window[]>();

export async function measure(label: string, target: Target): Promise<Window> {
  const request = typeof target.request === 'function' ? await target.request() : target.request;
  if (WARMUP_SECONDS > 0) {
    await load({
      url: target.url,
      connections: target.connections,
      seconds: WARMUP_SECONDS,
      request,
      perConnection: await target.perConnection?.(),
    });
  }
  const perConnection = await target.perConnection?.();
  const cpuBefore = target.server?.cpuMs();
  const postgresBefore = postgresCpuMs();
  const selfBefore = process.cpuUsage();
  const seconds = SECONDS * (target.lengthFactor ?? 1);
  const window = await load({ url: target.url, connections: target.connections, seconds, request, perConnection });
  if (target.server && cpuBefore !== undefined) window.cpuMsPerRequest = (target.server.cpuMs() - cpuBefore) / Math.max(1, window.ok);
  const self = process.cpuUsage(selfBefore);
  window.postgresCpuMsPerRequest = (postgresCpuMs() - postgresBefore) / Math.max(1, window.ok);
  window.loadCpuMsPerRequest = (self.user + self.system) / 1000 / Math.max(1, window.ok);
  if (!windows.has(label)) windows.set(label, []);
  windows.get(label)!.push(window);
  const codes = Object.keys(window.statusCodes).length ? ` codes ${JSON.stringify(window.statusCodes)}` : '';
  log(
    `  ${label.padEnd(26)} ${window.requestsPerSecond.toFixed(1).padStart(8)} req/s  p50 ${window.p50Ms.toFixed(2)} ms  p99 ${window.p99Ms.toFixed(2)} ms  cpu/req ${window.cpuMsPerRequest?.toFixed(3) ?? '–'} ms (postgres ${window.postgresCpuMsPerRequest.toFixed(3)}, load ${window.loadCpuMsPerRequest.toFixed(3)})  errors ${window.errors} non-2xx ${window.non2xx}${codes}`,
  );
  return window;
}

/** A scenario side's figures: medians over its windows, and each window. */
export interface Summary extends Figures {
  perWindow: { requestsPerSecond: number; p50Ms: number; p99Ms: number; cpuMsPerRequest?: number }[];
}

export function summary(label: string): Summary | undefined {
  const list = windows.get(label);
  if (!list?.length) return undefined;
  return {
    requestsPerSecond: median(list.map((w) => w.requestsPerSecond)),
    p50Ms: median(list.map((w) => w.p50Ms)),
    p99Ms: median(list.map((w) => w.p99Ms)),
    cpuMsPerRequest: list[0].cpuMsPerRequest !== undefined ? round(median(list.map((w) => w.cpuMsPerRequest!)), 3) : undefined,
    errors: list.reduce((sum, w) => sum + w.errors, 0),
    non2xx: list.reduce((sum, w) => sum + w.non2xx, 0),
    windows: list.length,
    perWindow: list.map((w) => ({
      requestsPerSecond: round(w.requestsPerSecond),
      p50Ms: round(w.p50Ms),
      p99Ms: round(w.p99Ms),
      cpuMsPerRequest: w.cpuMsPerRequest !== undefined ? round(w.cpuMsPerRequest, 3) : undefined,
    })),
  };
}

export const round = (value: number, digits = 2) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : value);

/** Runs `a` then `b`, or `b` then `a` on odd rounds, so neither side always goes first. */
export async function alternate(roundIndex: number, steps: (() => Promise<unknown>)[]): Promise<void> {
  const ordered = roundIndex % 2 ? [...steps].reverse() : steps;
  for (const step of ordered) await step();
}

export const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

export function check(
  name: string,
  value: number,
  limit: number,
  direction: '>=' | '<=' | '<',
): { name: string; value: number; limit: number; pass: boolean } {
  const pass = direction === '>=' ? value >= limit : direction === '<=' ? value <= limit : value < limit;
  return { name, value: round(value, 3), limit, pass: Number.isFinite(value) && pass };
}

export function clean(...summaries: (Summary | undefined)[]): boolean {
  return summaries.every((s) => s !== undefined && s.errors === 0 && s.non2xx === 0);
}

export function scenario(partial: Omit<ScenarioResult, 'status'> & { measured: boolean; cleanRuns?: boolean }): ScenarioResult {
  const { measured, cleanRuns, ...rest } = partial;
  if (!measured) return { ...rest, status: 'not measured' };
  const pass = rest.checks.every((c) => c.pass) && cleanRuns !== false;
  return { ...rest, status: pass ? 'pass' : 'fail' };
}

/** `a`'s figure divided by `b`'s (NaN when either side was not measured). */
export function ratio(a?: Summary, b?: Summary, key: 'requestsPerSecond' | 'p50Ms' | 'p99Ms' = 'requestsPerSecond'): number {
  return a && b ? a[key] / b[key] : NaN;
}
