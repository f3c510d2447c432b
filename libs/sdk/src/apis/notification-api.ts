import { type Connection, EventStreamConnection, type SubscriptionOptions } from '../event-stream.js';
import type { HttpClient } from '../http.js';
import type { NotificationDto, NotificationStatus } from '../models.js';

/** The events a notification subscription hears: creations (iCure's `'CREATE'`). */
export type NotificationEventType = 'CREATE';

/** Which notifications a subscription passes on (all of the caller's when empty). */
export interface NotificationEventFilter {
  type?: NotificationDto['type'];
  /** The patient a notification is about. */
  responsible?: string;
}

export type NotificationEventCallback = (notification: NotificationDto) => Promise<void> | void;

export class NotificationApi {
  constructor(private readonly http: HttpClient) {}

  /** The caller's pending notifications created after `date` (epoch ms; all of them without it), newest first, every page. */
  async getPendingNotificationsAfter(date?: number): Promise<NotificationDto[]> {
    const notifications: NotificationDto[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.http.get('/api/v1/notifications', { query: { status: 'pending', after: date, cursor, limit: 1000 } });
      notifications.push(...page.rows);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return notifications;
  }

  /**
   * Subscribes to the caller's new notifications (iCure's subscribeToNotificationEvents): `eventFired` runs for each,
   * in order, one at a time. The promise settles once the stream is open, with a connection to close when done.
   * It reconnects by itself when the stream drops or the server ends it (its access token expired: it takes a fresh
   * one from the session), resuming after the last event received so that none is lost or repeated; after
   * `connectionMaxRetry` failures in a row, or when the server refuses the session, it ends (`onClosed(error)`).
   * Over fetch with the Authorization header, in Node and browsers alike.
   */
  subscribeToNotificationEvents(eventFired: NotificationEventCallback, options?: SubscriptionOptions): Promise<Connection>;
  subscribeToNotificationEvents(
    eventTypes: NotificationEventType[],
    filter: NotificationEventFilter | undefined,
    eventFired: NotificationEventCallback,
    options?: SubscriptionOptions,
  ): Promise<Connection>;
  async subscribeToNotificationEvents(
    ...args:
      | [NotificationEventCallback, SubscriptionOptions?]
      | [NotificationEventType[], NotificationEventFilter | undefined, NotificationEventCallback, SubscriptionOptions?]
  ): Promise<Connection> {
    type Full = [NotificationEventType[], NotificationEventFilter | undefined, NotificationEventCallback, SubscriptionOptions?];
    const [eventTypes, filter, eventFired, options] = (
      typeof args[0] === 'function' ? [['CREATE'], undefined, args[0], args[1]] : args
    ) as Full;
    if (!eventTypes.every((type) => type === 'CREATE')) throw new TypeError("Only 'CREATE' events of notifications can be subscribed to");
    const matches = (n: NotificationDto) =>
      (!filter?.type || n.type === filter.type) && (!filter?.responsible || n.responsible === filter.responsible);
    const connection = new EventStreamConnection(
      (lastEventId, signal) =>
        this.http.openStream('/api/v1/notifications/stream', lastEventId === undefined ? {} : { 'last-event-id': lastEventId }, signal),
      async (event) => {
        if (event.event !== 'notification') return;
        const notification = JSON.parse(event.data) as NotificationDto;
        if (matches(notification)) await eventFired(notification);
      },
      options,
    );
    await connection.opened;
    return connection;
  }

  /**
   * A one-time ticket (30 s) for a browser's own `EventSource`, which cannot send the Authorization header:
   * `new EventSource(`${baseUrl}/api/v1/notifications/stream?ticket=${ticket}`)`. Each reconnection needs a new ticket.
   */
  createStreamTicket(): Promise<{ ticket: string; expiresAt: number }> {
    return this.http.post('/api/v1/notifications/stream-ticket');
  }

  get(notificationId: string): Promise<NotificationDto> {
    return this.http.get('/api/v1/notifications/{id}', { path: { id: notificationId } });
  }

  /**
   * Moves the notification along pending → ongoing → completed (or to cancelled). Sends the
   * notification's rev, so a change made meanwhile by someone else answers 409.
   */
  updateNotificationStatus(notification: Pick<NotificationDto, 'id' | 'rev'>, status: NotificationStatus): Promise<NotificationDto> {
    return this.http.put('/api/v1/notifications/{id}/status', { path: { id: notification.id }, body: { status, rev: notification.rev } });
  }
}
