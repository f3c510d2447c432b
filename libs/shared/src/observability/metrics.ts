import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a login attempt ended: `success`, or the error code it was refused with, lower-cased (`invalid_credentials`). */
export type LoginOutcome = string;

/** What the outbox holds right now. */
export interface OutboxBacklog {
  /** Messages waiting to be sent (QUEUED). */
  queued: number;
  /** Epoch ms of the oldest of them; null when there is none. */
  oldestCreated: number | null;
}

/** The database pool's connections right now. */
export interface PoolUse {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

type Source<T> = () => T | Promise<T>;

/** Request durations, in seconds: from a cached read to a slow bcrypt login. */
const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The operational metrics (Prometheus, served at /metrics): contexts report
 * through these methods and never touch prom-client. Gauges of state held
 * elsewhere (the outbox, the pool, open streams) are read when scraped, from
 * the source their owner registers. One registry per app, so that two apps
 * in one process (tests) count apart.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private answered = 0;
  private readonly requests = new Histogram({
    name: 'careid_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: 'careid_login_attempts_total',
    help: 'Login and token-exchange attempts by method (password, login-token, federated-id-token) and outcome',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly lockouts = new Counter({
    name: 'careid_login_lockouts_total',
    help: 'Failed attempts that locked their login',
    registers: [this.registry],
  });
  private readonly deliveryFailures = new Counter({
    name: 'careid_outbox_delivery_failures_total',
    help: 'Failed message deliveries by channel; final="true" when the message was given up',
    labelNames: ['channel', 'final'] as const,
    registers: [this.registry],
  });
  /** The outbox's backlog as last read: both outbox gauges of one scrape share one query. */
  private backlog?: { at: number; value: Promise<OutboxBacklog | undefined> };
  private outbox?: Source<OutboxBacklog>;
  private pool?: Source<PoolUse>;
  private streams?: Source<number>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.gauge('careid_outbox_queued_messages', 'Messages waiting in the outbox', async () => (await this.outboxBacklog())?.queued);
    this.gauge('careid_outbox_oldest_message_age_seconds', 'Age of the oldest message waiting in the outbox (0 when empty)', async () => {
      const backlog = await this.outboxBacklog();
      return backlog && (backlog.oldestCreated === null ? 0 : Math.max(0, (Date.now() - backlog.oldestCreated) / 1000));
    });
    this.gauge('careid_db_pool_connections', 'Open connections of the database pool', async () => (await this.pool?.())?.total);
    this.gauge('careid_db_pool_idle_connections', 'Idle connections of the database pool', async () => (await this.pool?.())?.idle);
    this.gauge('careid_db_pool_waiting_queries', 'Queries waiting for a pool connection', async () => (await this.pool?.())?.waiting);
    this.gauge('careid_sse_connections', 'Open notification streams (Server-Sent Events)', async () => this.streams?.());
  }

  private outboxBacklog(): Promise<OutboxBacklog | undefined> {
    const now = Date.now();
    if (!this.backlog || now - this.backlog.at > 1000) this.backlog = { at: now, value: Promise.resolve(this.outbox?.()) };
    return this.backlog.value;
  }

  /** A gauge read from `read` at each scrape; left out of the scrape while its source is unknown or fails. */
  private gauge(name: string, help: string, read: () => Promise<number | undefined>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.reset();
        const value = await read().catch(() => undefined);
        if (value !== undefined) this.set(value);
      },
    });
  }

  /** One answered request; `route` is the matched pattern (`/api/v1/users/:id`), never the raw URL. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.observe({ method, route, status }, seconds);
    this.answered++;
  }

  /** How many requests this process has answered: background work gives way while it grows (BackgroundPacing). */
  get answeredRequests(): number {
    return this.answered;
  }

  recordLogin(method: string, outcome: LoginOutcome): void {
    this.logins.inc({ method, outcome });
  }

  recordLockout(): void {
    this.lockouts.inc();
  }

  recordDeliveryFailure(channel: string, final: boolean): void {
    this.deliveryFailures.inc({ channel, final: String(final) });
  }

  reportOutbox(source: Source<OutboxBacklog>): void {
    this.outbox = source;
  }

  reportPool(source: Source<PoolUse>): void {
    this.pool = source;
  }

  reportStreams(source: Source<number>): void {
    this.streams = source;
  }

  /** The scrape: Prometheus's text format. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
