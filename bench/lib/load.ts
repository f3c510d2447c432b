import autocannon from 'autocannon';

/** One autocannon window, summarised from our own per-response timings (autocannon's histogram rounds to whole ms). */
export interface Window {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  errors: number;
  non2xx: number;
  seconds: number;
  /** CPU time (user + system) the server process spent per 2xx answer, when its pid is known. */
  cpuMsPerRequest?: number;
  /** The same for all PostgreSQL processes of the machine, and for the load generator (this process). */
  postgresCpuMsPerRequest?: number;
  loadCpuMsPerRequest?: number;
  /** A few status codes other than 2xx, for diagnosis. */
  statusCodes: Record<string, number>;
}

export interface Request {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds, unless `amount` is given; at most, when `until` is given. */
  seconds?: number;
  /** Stops the load when it settles (e.g. a job's end). */
  until?: Promise<unknown>;
  amount?: number;
  request: Request;
  /**
   * Per-connection state, for requests that depend on the previous answer
   * (rotating refresh tokens): returns the body of the next request and
   * reads each answer. autocannon resets its own per-request context after
   * every request when there is one request in the list, so state lives in
   * this closure, one per connection (`setupClient`).
   */
  perConnection?: () => { body: () => string; onResponse: (status: number, body: string) => void };
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function load(options: LoadOptions): Promise<Window> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const { request } = options;
  const headers = {
    ...(request.body !== undefined || options.perConnection ? { 'content-type': 'application/json' } : {}),
    ...request.headers,
  };
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    timeout: 30,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 5 }),
    method: request.method ?? 'GET',
    headers,
    body: request.body,
    requests: [{ method: request.method ?? 'GET', path: request.path, headers, body: request.body }],
    ...(options.perConnection
      ? {
          setupClient: (client: any) => {
            const state = options.perConnection!();
            client.setRequests([
              {
                method: request.method ?? 'POST',
                path: request.path,
                headers,
                setupRequest: (req: any) => ({ ...req, body: state.body() }),
                onResponse: (status: number, body: string) => state.onResponse(status, body),
              },
            ]);
          },
        }
      : {}),
  } as autocannon.Options) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  void options.until?.finally(() => instance.stop());
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    else statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    ok: latencies.length,
    errors: result.errors,
    non2xx: result.non2xx,
    seconds,
    statusCodes,
  };
}
