import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionHost } from '@careid/shared';

export type DeliveryStatus = 'QUEUED' | 'SENT' | 'FAILED' | 'NOT_SENT';

export interface OutgoingMessage {
  channel: 'email' | 'sms';
  kind: string;
  recipient: string;
  replyTo?: string | null;
  subject?: string;
  text: string;
  html?: string;
}

export interface Delivery {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: number | null;
}

/** A message claimed for delivery, as stored. */
export interface QueuedMessageRow {
  id: string;
  channel: 'email' | 'sms';
  kind: string;
  recipient: string;
  reply_to: string | null;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
  attempts: number;
}

/**
 * The statements of the outbox (`outbox_messages`). Delivery runs in a transaction of its own (`inDeliveryTransaction`)
 * whose manager the delivery statements take.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Stores a message in the caller's transaction; returns its id. */
  async insert(message: OutgoingMessage, now: number): Promise<string> {
    const id = randomUUID();
    await this.tx.query(
      `INSERT INTO outbox_messages (id, channel, kind, recipient, reply_to, subject, text_body, html_body, next_attempt_at, created)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [
        id,
        message.channel,
        message.kind,
        message.recipient,
        message.replyTo ?? null,
        message.subject ?? null,
        message.text,
        message.html ?? null,
        now,
      ],
    );
    return id;
  }

  async delivery(messageId: string): Promise<Delivery | null> {
    const rows: Record<string, any>[] = await this.tx.query(
      'SELECT status, attempts, last_error, sent_at FROM outbox_messages WHERE id = $1',
      [messageId],
    );
    if (!rows.length) return null;
    return {
      status: rows[0].status,
      attempts: rows[0].attempts,
      lastError: rows[0].last_error,
      sentAt: rows[0].sent_at === null ? null : Number(rows[0].sent_at),
    };
  }

  /** How many messages wait to be sent, and since when the oldest of them (the /metrics gauges). */
  async backlog(): Promise<{ queued: number; oldestCreated: number | null }> {
    const [row]: { queued: string; oldest: string | null }[] = await this.tx.queryOutsideTransaction(
      `SELECT count(*) AS queued, min(created) AS oldest FROM outbox_messages WHERE status = 'QUEUED'`,
    );
    return { queued: Number(row.queued), oldestCreated: row.oldest === null ? null : Number(row.oldest) };
  }

  /** Runs `work` in a transaction of its own, on one connection, outside any ambient one. */
  inDeliveryTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.tx.dataSource.transaction(async (manager) => {
      // The send happens inside this transaction: allow it longer than an idle query would get.
      await manager.query(`SET LOCAL idle_in_transaction_session_timeout = '60s'`);
      return work(manager);
    });
  }

  /** Locks the next due message until the delivery transaction ends; other instances skip it. */
  async claimNextDue(manager: EntityManager, now: number): Promise<QueuedMessageRow | undefined> {
    const rows: QueuedMessageRow[] = await manager.query(
      `SELECT * FROM outbox_messages WHERE status = 'QUEUED' AND next_attempt_at <= $1
       ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now],
    );
    return rows[0];
  }

  async scheduleRetry(manager: EntityManager, id: string, attempts: number, lastError: string, nextAttemptAt: number): Promise<void> {
    await manager.query(`UPDATE outbox_messages SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1`, [
      id,
      attempts,
      lastError,
      nextAttemptAt,
    ]);
  }

  /** Settles a message for good and erases its bodies (they carry tokens and links). */
  async settle(
    manager: EntityManager,
    id: string,
    status: DeliveryStatus,
    attempts: number,
    lastError: string | null,
    now: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE outbox_messages SET status = $2, attempts = $3, last_error = $4, sent_at = CASE WHEN $2 = 'SENT' THEN $5::bigint END,
         text_body = NULL, html_body = NULL
       WHERE id = $1`,
      [id, status, attempts, lastError, now],
    );
  }
}
