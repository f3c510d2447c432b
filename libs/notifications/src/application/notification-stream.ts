import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CallerSession, Principal, SessionsService } from '@careid/identity';
import { Metrics, PgListener } from '@careid/shared';
import { Addressee, Notification } from '../domain/notification';
import { NOTIFICATION_CHANNEL } from '../infrastructure/notifications.repository';
import { NotificationsService } from './notifications.service';

type Subscriber = {
  actor: Principal;
  session: CallerSession;
  send: (notification: Notification) => void;
  end: () => void;
  expiry: NodeJS.Timeout;
};

/**
 * Live notifications for Server-Sent Events. Every instance LISTENs on the
 * channel the creating transaction NOTIFYs, so a stream opened on one
 * instance hears notifications created through any other.
 *
 * A stream is authenticated once, when it opens: it ends as soon as that
 * session does (logout, password or roles changed, user disabled or
 * deleted), wherever the change was made, as identity tells every instance
 * of it, and when the access token it was opened with expires.
 */
@Injectable()
export class NotificationStream implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationStream.name);
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    private readonly listener: PgListener,
    private readonly notifications: NotificationsService,
    private readonly sessions: SessionsService,
    private readonly metrics: Metrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.metrics.reportStreams(() => this.subscribers.size);
    this.sessions.onUserChanged((userId) => void this.endStaleSessions(userId));
    await this.listener.subscribe(NOTIFICATION_CHANNEL, (payload) => void this.dispatch(payload));
  }

  /** Streams never end on their own: close them so that the server can stop. */
  beforeApplicationShutdown(): void {
    for (const subscriber of [...this.subscribers]) this.close(subscriber);
  }

  subscribe(actor: Principal, session: CallerSession, send: (notification: Notification) => void, end: () => void): () => void {
    const expiry = setTimeout(() => this.close(subscriber), Math.max(0, session.accessExpiresAt - Date.now()));
    const subscriber: Subscriber = { actor, session, send, end, expiry };
    this.subscribers.add(subscriber);
    // The session may have ended between the guard's check and now, before this stream could hear of it.
    void this.endStaleSessions(actor.userId);
    return () => {
      clearTimeout(expiry);
      this.subscribers.delete(subscriber);
    };
  }

  private close(subscriber: Subscriber): void {
    clearTimeout(subscriber.expiry);
    if (this.subscribers.delete(subscriber)) subscriber.end();
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

  private async dispatch(payload: string): Promise<void> {
    let message: Addressee & { id: string };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    const interested = [...this.subscribers].filter((s) => this.notifications.isAddressedTo(message, s.actor));
    if (!interested.length) return;
    const notification = await this.notifications.get(message.id, interested[0].actor).catch(() => null);
    if (!notification) return;
    // A stream ended while the notification was loading hears nothing more.
    for (const subscriber of interested) if (this.subscribers.has(subscriber)) subscriber.send(notification);
  }
}
