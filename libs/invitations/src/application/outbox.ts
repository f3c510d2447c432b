import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AppConfigService, MessagingSettings, TransactionHost } from '@careid/shared';
import { EmailTransport, SmsTransport, UndeliverableMessage } from './transports';

export interface OutgoingMessage {
  channel: 'email' | 'sms';
  kind: string;
  recipient: string;
  replyTo?: string | null;
  subject?: string;
  text: string;
  html?: string;
}

export type DeliveryStatus = 'QUEUED' | 'SENT' | 'FAILED' | 'NOT_SENT';

export interface Delivery {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  sentAt: number | null;
}

/**
 * The transactional outbox. `enqueue` stores a message in the caller's
 * transaction; the worker delivers it after commit. Several instances share
 * the work through `FOR UPDATE SKIP LOCKED`; the row stays locked while it is
 * sent, so a message is delivered once, and a crash before the commit leaves
 * it queued for the next attempt. Failures retry with exponential back-off up
 * to OUTBOX_MAX_ATTEMPTS, then the message is FAILED with its last error (at
 * once when no attempt can deliver it).
 * Bodies (which carry tokens and links) are erased once a message is settled.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Outbox.name);
  private readonly settings: MessagingSettings;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wakeAgain = false;
  private stopped = false;

  constructor(
    private readonly tx: TransactionHost,
    private readonly email: EmailTransport,
    private readonly sms: SmsTransport,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.settings = config.get('messaging', { infer: true });
  }

  async enqueue(message: OutgoingMessage): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await this.tx.manager.query(
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
    this.tx.afterCommit(() => this.wake());
    return id;
  }

  async delivery(messageId: string): Promise<Delivery | null> {
    const rows: Record<string, any>[] = await this.tx.manager.query(
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

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.settings.outboxPollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking new messages and waits for the one being sent. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Delivers every due message now (also called on a timer and after each enqueue). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.running = this.drain()
      .catch((error: Error) => this.logger.warn({ err: { message: error.message } }, 'Outbox pass failed; will retry'))
      .finally(() => {
        this.running = undefined;
        if (this.wakeAgain && !this.stopped) {
          this.wakeAgain = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.deliverNext())) {
      // keep going while messages are due
    }
  }

  /** Claims, sends and settles one due message; false when none is due. */
  private async deliverNext(): Promise<boolean> {
    return this.tx.dataSource.transaction(async (manager) => {
      // The send happens inside this transaction: allow it longer than an idle query would get.
      await manager.query(`SET LOCAL idle_in_transaction_session_timeout = '60s'`);
      const rows: Record<string, any>[] = await manager.query(
        `SELECT * FROM outbox_messages WHERE status = 'QUEUED' AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [Date.now()],
      );
      const message = rows[0];
      if (!message) return false;
      try {
        const result =
          message.channel === 'email'
            ? await this.email.send({
                to: message.recipient,
                replyTo: message.reply_to,
                subject: message.subject ?? '',
                text: message.text_body ?? '',
                html: message.html_body,
              })
            : await this.sms.send(message.recipient, message.text_body ?? '');
        if (result === 'not-configured') {
          this.logger.warn(
            { messageId: message.id, channel: message.channel, kind: message.kind },
            `No ${message.channel === 'email' ? 'SMTP relay' : 'SMS gateway'} configured: message not sent`,
          );
          await this.settle(manager, message.id, 'NOT_SENT', message.attempts, `no ${message.channel} transport configured`);
        } else {
          await this.settle(manager, message.id, 'SENT', message.attempts + 1, null);
          this.logger.log({ messageId: message.id, channel: message.channel, kind: message.kind }, 'Message delivered');
        }
      } catch (error) {
        const attempts = message.attempts + 1;
        const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
        if (attempts >= this.settings.outboxMaxAttempts || error instanceof UndeliverableMessage) {
          await this.settle(manager, message.id, 'FAILED', attempts, lastError);
          this.logger.error({ messageId: message.id, attempts, lastError }, 'Message delivery failed for good');
        } else {
          const delay = Math.min(this.settings.outboxBaseDelayMs * 2 ** (attempts - 1), 3_600_000);
          await manager.query(`UPDATE outbox_messages SET attempts = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1`, [
            message.id,
            attempts,
            lastError,
            Date.now() + delay,
          ]);
          this.logger.warn({ messageId: message.id, attempts, lastError, retryInMs: delay }, 'Message delivery failed; will retry');
        }
      }
      return true;
    });
  }

  private async settle(
    manager: EntityManager,
    id: string,
    status: DeliveryStatus,
    attempts: number,
    lastError: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE outbox_messages SET status = $2, attempts = $3, last_error = $4, sent_at = CASE WHEN $2 = 'SENT' THEN $5::bigint END,
         text_body = NULL, html_body = NULL
       WHERE id = $1`,
      [id, status, attempts, lastError, Date.now()],
    );
  }
}
