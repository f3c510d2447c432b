import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decodeCursor, firstRev, NEXT_REV_SQL, Page, SqlBuilder, toPage, TransactionHost } from '@careid/shared';
import type { Addressee, Notification, NotificationStatus, NotificationType, SequencedNotification } from '../domain/notification';

/** The channel every instance LISTENs on for notifications created anywhere (the live streams). */
export const NOTIFICATION_CHANNEL = 'careid_notification_created';

export interface NewNotification extends Addressee {
  type: NotificationType;
  responsible: string;
  author: string;
  properties: Record<string, unknown>;
}

export interface NotificationQuery {
  status?: NotificationStatus;
  type?: NotificationType;
  responsible?: string;
  after?: number;
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

/** SQL for notifications and the NOTIFY that announces them. */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Inserts the notification unless an open one (pending or ongoing) of the same type links this responsible and recipient.
   * Creations for one recipient wait for each other until their transactions end, so that the recipient's `seq` numbers
   * grow in commit order: a stream that resumes after a number then misses none committed later with a smaller one.
   */
  async insertUnlessOpen(input: NewNotification, now: number): Promise<SequencedNotification | null> {
    await this.tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`notifications:${input.recipientKind}:${input.recipient}`]);
    const rows = await this.tx.query(
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
    return rows.length ? { seq: String(rows[0].seq), notification: toNotification(rows[0]) } : null;
  }

  /** Tells every instance (NOTIFY, delivered once the transaction commits) that a notification was created. */
  async announceCreated(id: string, seq: string, addressee: Addressee): Promise<void> {
    await this.tx.query('SELECT pg_notify($1, $2)', [NOTIFICATION_CHANNEL, JSON.stringify({ id, seq, ...addressee })]);
  }

  /** The addressee's notifications numbered after `afterSeq`, oldest first (a stream's replay). */
  async listAfterSeq(addressee: Addressee, afterSeq: string, limit: number): Promise<SequencedNotification[]> {
    const rows: Record<string, any>[] = await this.tx.query(
      `SELECT * FROM notifications WHERE recipient = $1 AND recipient_kind = $2 AND seq > $3::bigint ORDER BY seq LIMIT $4`,
      [addressee.recipient, addressee.recipientKind, afterSeq, limit],
    );
    return rows.map((row) => ({ seq: String(row.seq), notification: toNotification(row) }));
  }

  /** The addressee's notifications, newest first, keyset-paginated by (created, id). */
  async listFor(addressee: Addressee, query: NotificationQuery, limit: number, cursor?: string): Promise<Page<Notification>> {
    const sql = new SqlBuilder();
    sql.where('recipient = ?', addressee.recipient);
    sql.where('recipient_kind = ?', addressee.recipientKind);
    if (query.status) sql.where('status = ?', query.status);
    if (query.type) sql.where('type = ?', query.type);
    if (query.responsible) sql.where('responsible = ?', query.responsible);
    if (query.after !== undefined) sql.where('created > ?', query.after);
    const after = decodeCursor(cursor, ['number', 'string']) as [number, string] | undefined;
    if (after) sql.where(`(created, id) < (?, ${sql.param(after[1])}::uuid)`, after[0]);
    const rows = await this.tx.query(
      `SELECT * FROM notifications ${sql.whereClause} ORDER BY created DESC, id DESC LIMIT ${sql.param(limit + 1)}`,
      sql.params,
    );
    return toPage(rows.map(toNotification), limit, (n) => [n.created, n.id]);
  }

  /** The notification and whom it is addressed to (the kind is not part of the notification's JSON). */
  async findById(id: string): Promise<{ notification: Notification; addressee: Addressee } | null> {
    const rows = await this.tx.query('SELECT * FROM notifications WHERE id = $1', [id]);
    if (!rows.length) return null;
    return { notification: toNotification(rows[0]), addressee: { recipient: rows[0].recipient, recipientKind: rows[0].recipient_kind } };
  }

  /**
   * Moves the notification to `status` if it is in one of `from` (and at `expectedRev` when given), in one statement,
   * so that concurrent changes cannot both win from the same state. Null when nothing matched.
   */
  async moveStatus(
    id: string,
    status: NotificationStatus,
    from: NotificationStatus[],
    now: number,
    expectedRev?: string,
  ): Promise<{ notification: Notification; previousStatus: NotificationStatus } | null> {
    const params: unknown[] = [id, status, now, from];
    let revCondition = '';
    if (expectedRev) {
      params.push(expectedRev);
      revCondition = `AND n.rev = $${params.length}`;
    }
    const [rows] = await this.tx.query(
      `WITH before AS (SELECT id, status FROM notifications WHERE id = $1 FOR UPDATE)
       UPDATE notifications n SET status = $2, modified = $3, rev = ${NEXT_REV_SQL}
       FROM before WHERE n.id = before.id AND n.status = ANY($4::text[]) ${revCondition}
       RETURNING n.*, before.status AS previous_status`,
      params,
    );
    return rows.length ? { notification: toNotification(rows[0]), previousStatus: rows[0].previous_status } : null;
  }
}
