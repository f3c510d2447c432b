import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { AppConfigService, MessagingSettings, TransactionHost } from '@careid/shared';
import { Delivery, DeliveryStatus, OutboxRepository, OutgoingMessage } from '../infrastructure/outbox.repository';
import { EmailTransport, OUTBOX_LANES, SmsTransport, UndeliverableMessage } from './transports';

export type { Delivery, DeliveryStatus, OutgoingMessage } from '../infrastructure/outbox.repository';

/**
 * The transactional outbox. `enqueue` stores a message in the caller's
 * transaction; the worker delivers it after commit. Several instances, and the
 * lanes of one (OUTBOX_LANES, each a delivery transaction of its own over the
 * pooled SMTP transport), share the work through `FOR UPDATE SKIP LOCKED`; the
 * row stays locked while it is sent, so a message is delivered once, and a
 * crash before the commit leaves it queued for the next attempt. A message is
 * committed as sent right after its own send, so a crash repeats at most the
 * sends whose acceptance the relay had just answered. Failures retry with exponential back-off up
 * to OUTBOX_MAX_ATTEMPTS, then the message is FAILED with its last error (at
 * once when no attempt can deliver it).
 * Bodies (which carry tokens and links) are erased once a message is settled.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Outbox.name);
  private readonly settings: MessagingSettings;
  /** Lanes that send at once; each holds a pool connection while it sends, so at most half the pool. */
  private readonly lanes: number;
  private timer: NodeJS.Timeout | undefined;
  /** The lanes delivering now. */
  private readonly active = new Set<Promise<void>>();
  private wakeAgain = false;
  private stopped = false;

  constructor(
    private readonly tx: TransactionHost,
    private readonly messages: OutboxRepository,
    private readonly email: EmailTransport,
    private readonly sms: SmsTransport,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.settings = config.get('messaging', { infer: true });
    this.lanes = Math.max(1, Math.min(OUTBOX_LANES, Math.floor(config.get('database', { infer: true }).poolSize / 2)));
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
    this.timer = setInterval(() => this.wake(), this.settings.outboxPollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking new messages and waits for those being sent. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.active);
  }

  /** Delivers every due message now (also called on a timer and after each enqueue): one lane, more while it finds work. */
  wake(): void {
    if (this.stopped) return;
    if (!this.addLane()) this.wakeAgain = true;
  }

  /** Starts a lane unless every lane runs; a lane that claims a message adds the next, up to `lanes`. */
  private addLane(): boolean {
    if (this.stopped || this.active.size >= this.lanes) return false;
    const lane: Promise<void> = this.drain()
      .catch((error: Error) => this.logger.warn({ err: { message: error.message } }, 'Outbox pass failed; will retry'))
      .finally(() => {
        this.active.delete(lane);
        // A wake that found every lane busy may have come after this lane last looked: look once more.
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wake();
        }
      });
    this.active.add(lane);
    return true;
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
      this.addLane();
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
