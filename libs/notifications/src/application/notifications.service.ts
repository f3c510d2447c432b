import { Injectable } from '@nestjs/common';
import { AuditTrail, Principal } from '@careid/identity';
import { domainError, Page, TransactionHost } from '@careid/shared';
import {
  Addressee,
  addresseeOf,
  invalidTransition,
  Notification,
  NotificationStatus,
  NotificationType,
  SequencedNotification,
  statusesThatMayBecome,
} from '../domain/notification';
import { NotificationsErrors } from '../domain/notifications.errors';
import { NotificationsRepository } from '../infrastructure/notifications.repository';

export { NOTIFICATION_CHANNEL } from '../infrastructure/notifications.repository';

export interface NotificationFilter {
  status?: NotificationStatus;
  type?: NotificationType;
  responsible?: string;
  after?: number;
  limit: number;
  cursor?: string;
}

/** Notifications addressed to data owners (practitioners), with their status workflow. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly notifications: NotificationsRepository,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * Creates a notification unless an open one (pending or ongoing) of the same
   * type already links this responsible and recipient. Tells every instance
   * once the transaction commits (NOTIFY), for the live streams.
   */
  async createUnlessOpen(
    input: Addressee & {
      type: NotificationType;
      responsible: string;
      author: string;
      properties: Record<string, unknown>;
    },
  ): Promise<Notification | null> {
    const created = await this.notifications.insertUnlessOpen(input, Date.now());
    if (!created) return null;
    const { notification, seq } = created;
    const addressee: Addressee = { recipient: input.recipient, recipientKind: input.recipientKind };
    await this.notifications.announceCreated(notification.id, seq, addressee);
    await this.audit.record({
      type: 'NOTIFICATION_CREATED',
      targetType: 'Notification',
      targetId: notification.id,
      details: { type: input.type, ...addressee },
    });
    return notification;
  }

  /**
   * The caller's own notifications, newest first: those addressed to the data
   * owner it stands for, none without one. Being an admin widens nothing here:
   * the REST contract promises "the caller's own notifications".
   */
  async list(actor: Principal, filter: NotificationFilter): Promise<Page<Notification>> {
    const addressee = addresseeOf(actor);
    if (!addressee) return { rows: [], nextCursor: null };
    const { limit, cursor, ...query } = filter;
    return this.notifications.listFor(addressee, query, limit, cursor);
  }

  /** The caller's own notifications numbered after `afterSeq`, oldest first, at most `limit` (a stream's replay). */
  async listAfterSeq(actor: Principal, afterSeq: string, limit: number): Promise<SequencedNotification[]> {
    const addressee = addresseeOf(actor);
    return addressee ? this.notifications.listAfterSeq(addressee, afterSeq, limit) : [];
  }

  async get(id: string, actor: Principal): Promise<Notification> {
    const found = await this.notifications.findById(id);
    if (!found || !this.mayHandle(found.addressee, actor)) {
      throw domainError(NotificationsErrors.NOTIFICATION_NOT_FOUND);
    }
    return found.notification;
  }

  /** Moves a notification along its workflow; atomic, so concurrent changes cannot both win from the same state. */
  async changeStatus(id: string, status: NotificationStatus, actor: Principal, rev?: string): Promise<Notification> {
    await this.get(id, actor);
    return this.tx.run(async () => {
      const moved = await this.notifications.moveStatus(id, status, statusesThatMayBecome(status), Date.now(), rev);
      if (!moved) {
        const latest = await this.get(id, actor);
        if (rev && latest.rev !== rev) throw domainError(NotificationsErrors.REVISION_CONFLICT);
        throw invalidTransition(latest.status, status);
      }
      await this.audit.record({
        type: 'NOTIFICATION_STATUS_CHANGED',
        targetType: 'Notification',
        targetId: id,
        details: { from: moved.previousStatus, to: status },
      });
      return moved.notification;
    });
  }

  /** Whether the notification is the caller's own (same data owner id and kind), as the list and the live stream show them. */
  isAddressedTo(notification: Addressee, actor: Principal): boolean {
    const own = addresseeOf(actor);
    return !!own && notification.recipient === own.recipient && notification.recipientKind === own.recipientKind;
  }

  /** Reading one by id and changing its status: its recipient, or an admin, as the REST contract says. */
  mayHandle(notification: Addressee, actor: Principal): boolean {
    return actor.isAdmin || this.isAddressedTo(notification, actor);
  }
}
