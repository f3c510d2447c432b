import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import type { AppConfigService } from '../config/config.module';

type Handler = (payload: string) => void;

/**
 * One dedicated connection that LISTENs on PostgreSQL channels, so that
 * every API instance hears what any instance NOTIFYs (cache invalidation,
 * live notifications). Reconnects on its own after an outage and tells
 * subscribers, who may have missed messages meanwhile.
 */
@Injectable()
export class PgListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PgListener.name);
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private client: Client | undefined;
  private connected = false;
  private stopped = false;
  private retryDelayMs = 500;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(ConfigService) private readonly config: AppConfigService) {}

  /** True while the connection is up: what was NOTIFYd meanwhile has been heard. */
  get isListening(): boolean {
    return this.connected;
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      if (this.connected) await this.serially(() => this.client!.query(`LISTEN ${quoteChannel(channel)}`));
    }
    set.add(handler);
    return () => set!.delete(handler);
  }

  /** Called after each reconnection (not the first connection). */
  onReconnect(handler: () => void): void {
    this.reconnectHandlers.add(handler);
  }

  private async connect(): Promise<void> {
    const { url } = this.config.get('database', { infer: true });
    const client = new Client({
      connectionString: url,
      application_name: 'careid-listener',
      connectionTimeoutMillis: 3000,
      keepAlive: true,
    });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) {
        try {
          handler(message.payload ?? '');
        } catch (error) {
          this.logger.error({ err: error, channel: message.channel }, 'Notification handler failed');
        }
      }
    });
    const lost = () => {
      if (client !== this.client || this.stopped) return;
      const wasConnected = this.connected;
      this.connected = false;
      if (wasConnected) this.logger.warn('Lost the LISTEN connection to PostgreSQL; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    const firstConnection = this.client === undefined;
    this.client = client;
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteChannel(channel)}`);
      this.connected = true;
      this.retryDelayMs = 500;
      if (!firstConnection) {
        this.logger.log('LISTEN connection to PostgreSQL restored');
        for (const handler of this.reconnectHandlers) handler();
      }
    } catch (error) {
      if (firstConnection) throw error;
      lost();
    }
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** One statement at a time on the listening connection. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.client?.end().catch(() => undefined);
      void this.connect();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5000);
  }
}

function quoteChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Invalid channel name ${channel}`);
  return channel;
}
