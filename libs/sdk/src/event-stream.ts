import { CareidApiError } from './errors.js';

/** One Server-Sent Event, as the HTML standard's EventSource dispatches it. */
export interface ServerSentEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * The HTML standard's event-stream parsing, fed chunk by chunk: lines end with CRLF, LF or CR; `data` lines join
 * with LF; an event is dispatched at a blank line when it has data; `retry` takes digits only; an `id` with NUL is
 * ignored; comments (`:`) are skipped.
 */
export class ServerSentEventParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  /** The last event id seen (it carries over to the following events, as in EventSource). */
  lastEventId: string | undefined;
  /** The server's `retry:` in ms, once it sent one. */
  retryMs: number | undefined;

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      // A lone CR at the end may be the first half of a CRLF: wait for more.
      if (end < 0 || (this.buffer[end] === '\r' && end === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    if (this.id !== undefined) this.lastEventId = this.id;
    this.id = undefined;
    const event = this.event || 'message';
    this.event = '';
    if (!this.data.length) return undefined;
    const data = this.data.join('\n');
    this.data = [];
    return { id: this.lastEventId, event, data };
  }
}

/** How a subscription reconnects (iCure's `connectionMaxRetry` and `connectionRetryIntervalMs`). */
export interface SubscriptionOptions {
  /** Failed connection attempts in a row before giving up (default 10); a stream the server ends normally does not count. */
  connectionMaxRetry?: number;
  /** The first wait before reconnecting, in ms, doubled after each failure up to 30 s (default: the server's `retry:`, else 3000). */
  connectionRetryIntervalMs?: number;
}

/** A live subscription (iCure's Connection): close it when done. */
export interface Connection {
  /** Stops listening and hangs up; no callback runs after it. */
  close(): void;
  /** Called each time the stream (re)opens. */
  onConnected(listener: () => void): Connection;
  /** Called once, when the subscription ends: `error` when it gave up (e.g. the session ended), none after `close()`. */
  onClosed(listener: (error?: unknown) => void): Connection;
  /** The id of the last event received: where a reconnection resumes. */
  readonly lastEventId: string | undefined;
}

/** Opens the stream, resuming after `lastEventId` when given. */
export type StreamOpener = (lastEventId: string | undefined, signal: AbortSignal) => Promise<Response>;

const MAX_BACKOFF_MS = 30_000;

/**
 * A Server-Sent Events subscription over fetch (so that it sends the Authorization header, in Node and browsers
 * alike): it reconnects when the stream drops or the server ends it (session token expired: the opener takes a fresh
 * one), sending Last-Event-ID so that nothing is missed, with back-off after failures. A refusal other than a
 * server error or a rate limit (e.g. the session ended) ends it.
 */
export class EventStreamConnection implements Connection {
  private readonly abort = new AbortController();
  private readonly connectedListeners: (() => void)[] = [];
  private readonly closedListeners: ((error?: unknown) => void)[] = [];
  private readonly parser = new ServerSentEventParser();
  private closed = false;
  private firstOpen!: { resolve: () => void; reject: (error: unknown) => void };
  /** Settles when the stream first opens, or rejects when the subscription gives up before. */
  readonly opened: Promise<void>;

  constructor(
    private readonly openStream: StreamOpener,
    private readonly onEvent: (event: ServerSentEvent) => Promise<void> | void,
    private readonly options: SubscriptionOptions = {},
  ) {
    this.opened = new Promise((resolve, reject) => (this.firstOpen = { resolve, reject }));
    this.opened.catch(() => undefined);
    void this.run();
  }

  get lastEventId(): string | undefined {
    return this.parser.lastEventId;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.firstOpen.reject(new Error('The subscription was closed'));
    for (const listener of this.closedListeners) listener();
  }

  onConnected(listener: () => void): Connection {
    this.connectedListeners.push(listener);
    return this;
  }

  onClosed(listener: (error?: unknown) => void): Connection {
    this.closedListeners.push(listener);
    return this;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        const response = await this.openStream(this.parser.lastEventId, this.abort.signal);
        failures = 0;
        this.firstOpen.resolve();
        for (const listener of this.connectedListeners) listener();
        await this.consume(response);
      } catch (error) {
        if (this.closed) return;
        failures += 1;
        if (!retriable(error) || failures > (this.options.connectionMaxRetry ?? 10)) return this.giveUp(error);
      }
      await this.wait(failures);
    }
  }

  private async consume(response: Response): Promise<void> {
    if (!response.body) throw new TypeError('The event stream has no body');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const event of this.parser.push(decoder.decode(value, { stream: true }))) {
        if (this.closed) return;
        // A failing callback is the caller's bug: it must not drop the connection nor replay the event.
        await Promise.resolve()
          .then(() => this.onEvent(event))
          .catch(() => undefined);
      }
    }
  }

  private wait(failures: number): Promise<void> {
    const base = this.options.connectionRetryIntervalMs ?? this.parser.retryMs ?? 3000;
    const delay = Math.min(base * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }

  private giveUp(error: unknown): void {
    this.closed = true;
    this.abort.abort();
    this.firstOpen.reject(error);
    for (const listener of this.closedListeners) listener(error);
  }
}

/** Network failures, server errors and rate limits pass; the server refusing the caller does not. */
function retriable(error: unknown): boolean {
  if (!(error instanceof CareidApiError)) return true;
  return error.status >= 500 || error.status === 429 || error.status === 408;
}
