import type { HttpClient } from '../http.js';
import type { NotificationDto, NotificationStatus } from '../models.js';

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
