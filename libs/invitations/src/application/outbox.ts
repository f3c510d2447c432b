import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AppConfigService, MessagingSettings, Metrics, TransactionHost } from '@careid/shared';
import { Delivery, DeliveryStatus, OutboxRepository, OutgoingMessage } from '../infrastructure/outbox.repository';
import { EmailTransport, SmsTransport, UndeliverableMessage } from './transports';

export type { Delivery, DeliveryStatus, OutgoingMessage } from '../infrastructure/outbox.repository';

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
    private readonly messages: OutboxRepository,
    private readonly email: EmailTransport,
    private readonly sms: SmsTransport,
    private readonly metrics: Metrics,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.settings = config.get('messaging', { infer: true });
  }

  async enqueue(message: OutgoingMessage): Promise<string> {
    const id = await this.messages.insert(message, Date.now());
    this.tx.afterCommit(() => this.wake());
    return id;
  }

  delivery(messageId: string): Promise<Delivery | null> {
    return this.messages.delivery(messageId);
  }

  onApplicationBootstrap(): void {
    this.metrics.reportOutbox(() => this.messages.backlog());
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
    return this.messages.inDeliveryTransaction(async (manager) => {
      const message = await this.messages.claimNextDue(manager, Date.now());
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
        const final = attempts >= this.settings.outboxMaxAttempts || error instanceof UndeliverableMessage;
        this.metrics.recordDeliveryFailure(message.channel, final);
        if (final) {
          await this.settle(manager, message.id, 'FAILED', attempts, lastError);
          this.logger.error({ messageId: message.id, attempts, lastError }, 'Message delivery failed for good');
        } else {
          const delay = Math.min(this.settings.outboxBaseDelayMs * 2 ** (attempts - 1), 3_600_000);
          await this.messages.scheduleRetry(manager, message.id, attempts, lastError, Date.now() + delay);
          this.logger.warn({ messageId: message.id, attempts, lastError, retryInMs: delay }, 'Message delivery failed; will retry');
        }
      }
      return true;
    });
  }

  private settle(manager: EntityManager, id: string, status: DeliveryStatus, attempts: number, lastError: string | null): Promise<void> {
    return this.messages.settle(manager, id, status, attempts, lastError, Date.now());
  }
}
