import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost, valueTuples } from '@careid/shared';

export type DeliveryStatus = 'QUEUED' | 'SENT' | 'FAILED' | 'NOT_SENT';

export interface OutgoingMessage {
  channel: 'email' | 'sms';
  kind: string;
  recipient: string;
  replyTo?: string | null;
  subject?: string;
  text: string;
  html?: string;
  /** The email as it will go out (EmailTransport.compose), when composed. */
  mime?: string | null;
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
  mime_body: string | null;
  attempts: number;
}

/** The statements of the outbox (`outbox_messages`) the API runs; delivery's own are in OutboxClaims. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Stores a message in the caller's transaction; returns its id. */
  async insert(message: OutgoingMessage, now: number): Promise<string> {
    return (await this.insertMany([message], now))[0];
  }

  /** Stores several messages in one statement; returns their ids, in order. */
  async insertMany(messages: OutgoingMessage[], now: number): Promise<string[]> {
    const ids = messages.map(() => randomUUID());
    if (!messages.length) return ids;
    await this.tx.query(
      `INSERT INTO outbox_messages (id, channel, kind, recipient, reply_to, subject, text_body, html_body, mime_body, next_attempt_at,
         created)
       VALUES ${valueTuples(messages.length, 11)}`,
      messages.flatMap((message, i) => [
        ids[i],
        message.channel,
        message.kind,
        message.recipient,
        message.replyTo ?? null,
        message.subject ?? null,
        message.text,
        message.html ?? null,
        message.mime ?? null,
        now,
        now,
      ]),
    );
    return ids;
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
}
