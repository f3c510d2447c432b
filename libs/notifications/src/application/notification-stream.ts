import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CallerSession, Principal, SessionsService } from '@careid/identity';
import { Metrics, PgListener } from '@careid/shared';
import { Addressee, Notification, SequencedNotification } from '../domain/notification';
import { NOTIFICATION_CHANNEL } from '../infrastructure/notifications.repository';
import { NotificationsService } from './notifications.service';

/** At most this many missed notifications are replayed per connection; with more, the stream ends after them. */
export const REPLAY_LIMIT = 1000;

/** What a stream does with its events: the controller writes them as Server-Sent Events. */
export interface StreamSink {
  send(seq: string, notification: Notification): void;
  end(): void;
}

type Subscriber = {
  actor: Principal;
  session: CallerSession;
  sink: StreamSink;
  expiry: NodeJS.Timeout;
  /** The last sequence number sent: a live notification at or below it was already sent by the replay. */
  lastSent: bigint;
  /** Live notifications heard while the replay runs; null once the stream is live. */
  pending: SequencedNotification[] | null;
};

type Announcement = Addressee & { id: string; seq: string };

const SEQ = /^\d{1,18}$/;

/**
 * Live notifications for Server-Sent Events. Every instance LISTENs on the
 * channel the creating transaction NOTIFYs, so a stream opened on one
 * instance hears notifications created through any other.
 *
 * A stream is authenticated once, when it opens: it ends as soon as that
 * session does (logout, password or roles changed, user disabled or
 * deleted), wherever the change was made, as identity tells every instance
 * of it, and when the access token it was opened with expires.
 *
 * A stream resumed after an event id hears the live notifications from the start, keeps them while it replays the
 * missed ones, then sends those numbered after the last it sent: no gap and no duplicate across the switch, since a
 * recipient's numbers grow in commit order (NotificationsRepository.insertUnlessOpen) and are announced in that order.
 */
@Injectable()
export class NotificationStream implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationStream.name);
  private readonly subscribers = new Set<Subscriber>();
  /** Per addressee, the delivery under way: announcements of one recipient are delivered in the order they came. */
  private readonly deliveries = new Map<string, Promise<void>>();

  constructor(
    private readonly listener: PgListener,
    private readonly notifications: NotificationsService,
    private readonly sessions: SessionsService,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.metrics.reportStreams(() => this.subscribers.size);
    this.sessions.onUserChanged((userId) => void this.endStaleSessions(userId));
    await this.listener.subscribe(NOTIFICATION_CHANNEL, (payload) => this.announced(payload));
  }

  /** Streams never end on their own: close them so that the server can stop. */
  beforeApplicationShutdown(): void {
    for (const subscriber of [...this.subscribers]) this.close(subscriber);
  }

  /** Opens a stream, live from now on, or first replaying what was created after `afterSeq`. Returns its unsubscribe. */
  subscribe(actor: Principal, session: CallerSession, sink: StreamSink, afterSeq?: string): () => void {
    const expiry = setTimeout(() => this.close(subscriber), Math.max(0, session.accessExpiresAt - Date.now()));
    const subscriber: Subscriber = {
      actor,
      session,
      sink,
      expiry,
      lastSent: BigInt(afterSeq ?? 0),
      pending: afterSeq === undefined ? null : [],
    };
    this.subscribers.add(subscriber);
    // The session may have ended between the guard's check and now, before this stream could hear of it.
    void this.endStaleSessions(actor.userId);
    if (afterSeq !== undefined) void this.replay(subscriber, afterSeq);
    return () => {
      clearTimeout(expiry);
      this.subscribers.delete(subscriber);
    };
  }

  private async replay(subscriber: Subscriber, afterSeq: string): Promise<void> {
    let missed: SequencedNotification[];
    try {
      missed = await this.notifications.listAfterSeq(subscriber.actor, afterSeq, REPLAY_LIMIT + 1);
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not replay the missed notifications of a stream; ending it');
      this.close(subscriber);
      return;
    }
    if (!this.subscribers.has(subscriber)) return;
    for (const item of missed.slice(0, REPLAY_LIMIT)) this.sendNow(subscriber, item);
    // More were missed: the client reconnects with the last id it got and the replay goes on from there.
    if (missed.length > REPLAY_LIMIT) return this.close(subscriber);
    const heard = subscriber.pending ?? [];
    subscriber.pending = null;
    for (const item of heard) this.sendNow(subscriber, item);
  }

  private deliver(subscriber: Subscriber, item: SequencedNotification): void {
    if (subscriber.pending) subscriber.pending.push(item);
    else this.sendNow(subscriber, item);
  }

  private sendNow(subscriber: Subscriber, item: SequencedNotification): void {
    const seq = BigInt(item.seq);
    if (seq <= subscriber.lastSent) return;
    subscriber.lastSent = seq;
    subscriber.sink.send(item.seq, item.notification);
  }

  private close(subscriber: Subscriber): void {
    clearTimeout(subscriber.expiry);
    if (this.subscribers.delete(subscriber)) subscriber.sink.end();
  }

  /** Ends the streams of `userId` (of every user when null) whose session no longer holds. */
  private async endStaleSessions(userId: string | null): Promise<void> {
    const bySession = new Map<string, Subscriber[]>();
    for (const subscriber of this.subscribers) {
      if (userId !== null && subscriber.actor.userId !== userId) continue;
      const key = `${subscriber.session.id}:${subscriber.actor.sessionVersion}`;
      bySession.set(key, [...(bySession.get(key) ?? []), subscriber]);
    }
    await Promise.all(
      [...bySession.values()].map(async (streams) => {
        const current = await this.sessions.isSessionCurrent(streams[0].actor, streams[0].session.id).catch((error: unknown) => {
          // Unknown (database unreachable): end it; the client reconnects through the guard's own check.
          this.logger.warn({ err: error }, 'Could not check the session of a notification stream; ending it');
          return false;
        });
        if (current) return;
        for (const subscriber of streams) this.close(subscriber);
      }),
    );
  }

  /** Queues the announcement behind the earlier ones of its addressee. */
  private announced(payload: string): void {
    let message: Announcement;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (typeof message?.seq !== 'string' || !SEQ.test(message.seq)) return;
    const key = `${message.recipientKind}:${message.recipient}`;
    const next = (this.deliveries.get(key) ?? Promise.resolve()).then(() => this.dispatch(message));
    this.deliveries.set(key, next);
    void next.then(() => {
      if (this.deliveries.get(key) === next) this.deliveries.delete(key);
    });
  }

  private async dispatch(message: Announcement): Promise<void> {
    const interested = [...this.subscribers].filter((s) => this.notifications.isAddressedTo(message, s.actor));
    if (!interested.length) return;
    const notification = await this.notifications.get(message.id, interested[0].actor).catch(() => null);
    if (!notification) return;
    // A stream ended while the notification was loading hears nothing more.
    for (const subscriber of interested) if (this.subscribers.has(subscriber)) this.deliver(subscriber, { seq: message.seq, notification });
  }
}
