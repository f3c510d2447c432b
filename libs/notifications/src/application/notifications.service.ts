import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail, Principal } from '@careid/identity';
import { decodeCursor, DomainError, firstRev, Page, toPage, TransactionHost, SqlBuilder } from '@careid/shared';
import {
  Addressee,
  addresseeOf,
  invalidTransition,
  Notification,
  NotificationStatus,
  NotificationType,
  statusesThatMayBecome,
} from '../domain/notification';

export const NOTIFICATION_CHANNEL = 'careid_notification_created';

export interface NotificationFilter {
  status?: NotificationStatus;
  type?: NotificationType;
  responsible?: string;
  after?: number;
  limit: number;
  cursor?: string;
}

function toNotification(row: Record<string, any>): Notification {
  return {
    id: row.id,
    rev: row.rev,
    created: Number(row.created),
    modified: Number(row.modified),
    type: row.type,
    status: row.status,
    responsible: row.responsible,
    author: row.author,
    recipient: row.recipient,
    properties: row.properties,
  };
}

/** Notifications addressed to data owners (practitioners), with their status workflow. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly tx: TransactionHost,
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
    const now = Date.now();
    const rows = await this.tx.manager.query(
      `INSERT INTO notifications (id, rev, created, modified, type, status, responsible, author, recipient, recipient_kind, properties)
       VALUES ($1, $2, $3, $3, $4, 'pending', $5, $6, $7, $8, $9)
       ON CONFLICT (type, responsible, recipient) WHERE status IN ('pending', 'ongoing') DO NOTHING
       RETURNING *`,
      [
        randomUUID(),
        firstRev(),
        now,
        input.type,
        input.responsible,
        input.author,
        input.recipient,
        input.recipientKind,
        JSON.stringify(input.properties),
      ],
    );
    if (!rows.length) return null;
    const notification = toNotification(rows[0]);
    const addressee: Addressee = { recipient: input.recipient, recipientKind: input.recipientKind };
    await this.tx.manager.query('SELECT pg_notify($1, $2)', [NOTIFICATION_CHANNEL, JSON.stringify({ id: notification.id, ...addressee })]);
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
   * owner it stands for, none without one. Being an admin widens nothing here
   * (API.md: "the caller's own notifications").
   */
  async list(actor: Principal, filter: NotificationFilter): Promise<Page<Notification>> {
    const addressee = addresseeOf(actor);
    if (!addressee) return { rows: [], nextCursor: null };
    const sql = new SqlBuilder();
    sql.where('recipient = ?', addressee.recipient);
    sql.where('recipient_kind = ?', addressee.recipientKind);
    if (filter.status) sql.where('status = ?', filter.status);
    if (filter.type) sql.where('type = ?', filter.type);
    if (filter.responsible) sql.where('responsible = ?', filter.responsible);
    if (filter.after !== undefined) sql.where('created > ?', filter.after);
    const cursor = decodeCursor(filter.cursor, ['number', 'string']) as [number, string] | undefined;
    if (cursor) sql.where(`(created, id) < (?, ${sql.param(cursor[1])}::uuid)`, cursor[0]);
    const rows = await this.tx.manager.query(
      `SELECT * FROM notifications ${sql.whereClause} ORDER BY created DESC, id DESC LIMIT ${sql.param(filter.limit + 1)}`,
      sql.params,
    );
    return toPage(rows.map(toNotification), filter.limit, (n) => [n.created, n.id]);
  }

  async get(id: string, actor: Principal): Promise<Notification> {
    const rows = await this.tx.manager.query('SELECT * FROM notifications WHERE id = $1', [id]);
    if (!rows.length || !this.mayHandle({ recipient: rows[0].recipient, recipientKind: rows[0].recipient_kind }, actor)) {
      throw DomainError.notFound('NOTIFICATION_NOT_FOUND', 'No such notification');
    }
    return toNotification(rows[0]);
  }

  /** Moves a notification along its workflow; atomic, so concurrent changes cannot both win from the same state. */
  async changeStatus(id: string, status: NotificationStatus, actor: Principal, rev?: string): Promise<Notification> {
    await this.get(id, actor);
    const params: unknown[] = [id, status, Date.now(), statusesThatMayBecome(status), randomBytes(16).toString('hex')];
    let revCondition = '';
    if (rev) {
      params.push(rev);
      revCondition = `AND n.rev = $${params.length}`;
    }
    return this.tx.run(async () => {
      const [rows] = await this.tx.manager.query(
        `WITH before AS (SELECT id, status FROM notifications WHERE id = $1 FOR UPDATE)
         UPDATE notifications n SET status = $2, modified = $3, rev = (split_part(n.rev, '-', 1)::int + 1)::text || '-' || $5
         FROM before WHERE n.id = before.id AND n.status = ANY($4::text[]) ${revCondition}
         RETURNING n.*, before.status AS previous_status`,
        params,
      );
      if (!rows.length) {
        const latest = await this.get(id, actor);
        if (rev && latest.rev !== rev) throw DomainError.conflict('REVISION_CONFLICT', 'The notification changed meanwhile; reload it');
        throw invalidTransition(latest.status, status);
      }
      const updated = toNotification(rows[0]);
      await this.audit.record({
        type: 'NOTIFICATION_STATUS_CHANGED',
        targetType: 'Notification',
        targetId: id,
        details: { from: rows[0].previous_status, to: status },
      });
      return updated;
    });
  }

  /** Whether the notification is the caller's own (same data owner id and kind), as the list and the live stream show them. */
  isAddressedTo(notification: Addressee, actor: Principal): boolean {
    const own = addresseeOf(actor);
    return !!own && notification.recipient === own.recipient && notification.recipientKind === own.recipientKind;
  }

  /** Reading one by id and changing its status: its recipient, or an admin (API.md: "only the recipient (or an admin)"). */
  mayHandle(notification: Addressee, actor: Principal): boolean {
    return actor.isAdmin || this.isAddressedTo(notification, actor);
  }
}
