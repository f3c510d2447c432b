import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, BackgroundPacing, MessagingSettings, Metrics, TransactionHost } from '@careid/shared';
import { OutboxClaims } from '../infrastructure/outbox-claims';
import { Delivery, DeliveryStatus, OutboxRepository, OutgoingMessage, QueuedMessageRow } from '../infrastructure/outbox.repository';
import { EmailMessage, EmailTransport, OUTBOX_CONNECTIONS, SmsTransport, UndeliverableMessage } from './transports';
import { WorkerPasses } from './worker-passes';

export type { Delivery, DeliveryStatus, OutgoingMessage } from '../infrastructure/outbox.repository';

/** Messages in flight at most: sixteen per SMTP connection, so that the pool always has the next ones ready. */
const WINDOW = 16 * OUTBOX_CONNECTIONS;
/** Claim again once this many are in flight or fewer: a claim per forty messages sent, eight still queued per connection. */
const REFILL_AT = WINDOW / 2;

/**
 * The transactional outbox. `enqueue` stores a message in the caller's
 * transaction; the worker delivers it after commit. Workers (one per
 * instance) claim due messages in batches (OutboxClaims: a claim names its
 * worker, whose database session must be alive for the claim to hold, so a
 * message is claimed by one live worker at a time and a crashed worker's
 * messages are claimable again at once), send them in parallel over a pool of
 * SMTP connections, and record each message as sent right after its own send,
 * so that a crash repeats at most the sends whose acceptance the relay had
 * just answered. Failures retry with exponential back-off up to
 * OUTBOX_MAX_ATTEMPTS, then the message is FAILED with its last error (at
 * once when no attempt can deliver it). Bodies (which carry tokens and links)
 * are erased once a message is settled. The worker uses a connection of its
 * own, never the API's pool.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Outbox.name);
  private readonly settings: MessagingSettings;
  private timer: NodeJS.Timeout | undefined;
  private opening: Promise<void> | undefined;
  private readonly passes = new WorkerPasses(
    () => this.drain(),
    (error) => this.logger.warn({ err: { message: error.message } }, 'Outbox pass failed; will retry'),
  );
  /** Messages being sent (or recorded) now: a settle with others to come waits for theirs (OutboxClaims.settle). */
  private sending = 0;
  /** Resolves the wait of a pass that has messages in flight and found no more due: a new one may have come. */
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly tx: TransactionHost,
    private readonly messages: OutboxRepository,
    private readonly claims: OutboxClaims,
    private readonly email: EmailTransport,
    private readonly sms: SmsTransport,
    private readonly metrics: Metrics,
    private readonly pacing: BackgroundPacing,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.settings = config.get('messaging', { infer: true });
  }

  async enqueue(message: OutgoingMessage): Promise<string> {
    return (await this.enqueueMany([message]))[0];
  }

  /**
   * Stores several messages in one statement in the caller's transaction; returns their ids, in order. Each email is
   * composed now, so that delivery only transmits it.
   */
  async enqueueMany(messages: OutgoingMessage[]): Promise<string[]> {
    const composed = await Promise.all(
      messages.map(async (message) =>
        message.channel === 'email' ? { ...message, mime: await this.email.compose(emailOf(message)) } : message,
      ),
    );
    const ids = await this.messages.insertMany(composed, Date.now());
    this.tx.afterCommit(() => this.wake());
    return ids;
  }

  delivery(messageId: string): Promise<Delivery | null> {
    return this.messages.delivery(messageId);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
    this.metrics.reportOutbox(() => this.messages.backlog());
    this.timer = setInterval(() => this.wake(), this.settings.outboxPollMs);
    this.timer.unref();
    this.wake();
  }

  /** Stops taking new messages, waits for those being sent, and gives up its claims. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.passes.stop();
    await this.claims.close();
  }

  /** Delivers every due message now (also called on a timer and after each enqueue). */
  wake(): void {
    if (this.passes.isStopped) return;
    if (this.claims.owner === undefined) {
      void this.connect();
      return;
    }
    if (!this.passes.wake()) this.wakeUp?.();
  }

  /** The worker's own connection; after a loss, the next wake opens it again (the timer wakes it). */
  private connect(): Promise<void> {
    this.opening ??= this.claims
      .open(() => this.logger.warn('Outbox worker lost its database connection; it reconnects on its next pass'))
      .catch((error: Error) => this.logger.warn({ err: { message: error.message } }, 'Outbox worker could not connect; will retry'))
      .finally(() => (this.opening = undefined));
    return this.opening;
  }

  /**
   * Keeps up to WINDOW messages in flight, claiming more once REFILL_AT are left, until none is due. Each claim ends
   * a step of the pacer: while the API is busy, the messages in flight are sent, then the worker rests.
   */
  private async drain(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const pacer = this.pacing.pacer();
    try {
      while (!this.passes.isStopped) {
        if (inFlight.size <= REFILL_AT) {
          const apiBusy = await pacer.endStep(() => Promise.all(inFlight));
          // While the API is busy, a message per connection at a time: short steps that requests never wait long behind.
          const claimed = await this.claims.claimDue(Date.now(), apiBusy ? OUTBOX_CONNECTIONS : WINDOW - inFlight.size);
          for (const message of claimed) {
            const sending: Promise<void> = this.deliver(message).finally(() => inFlight.delete(sending));
            inFlight.add(sending);
          }
          if (!claimed.length && !inFlight.size) return;
          if (!claimed.length) await Promise.race([...inFlight, new Promise<void>((resolve) => (this.wakeUp = resolve))]);
          else if (inFlight.size > REFILL_AT) await Promise.race(inFlight);
        } else {
          await Promise.race(inFlight);
        }
      }
    } finally {
      await Promise.all(inFlight);
    }
  }

  /** Sends one claimed message and records the outcome; never throws (a failed record leaves the claim to lapse). */
  private async deliver(message: QueuedMessageRow): Promise<void> {
    this.sending++;
    try {
      const result = await this.send(message);
      if (result === 'not-configured') {
        this.logger.warn(
          { messageId: message.id, channel: message.channel, kind: message.kind },
          `No ${message.channel === 'email' ? 'SMTP relay' : 'SMS gateway'} configured: message not sent`,
        );
        await this.settle(message.id, 'NOT_SENT', message.attempts, `no ${message.channel} transport configured`);
      } else {
        await this.settle(message.id, 'SENT', message.attempts + 1, null);
        this.logger.log({ messageId: message.id, channel: message.channel, kind: message.kind }, 'Message delivered');
      }
    } catch (error) {
      await this.failed(message, error).catch((recordError: Error) =>
        this.logger.warn({ messageId: message.id, err: { message: recordError.message } }, 'Could not record a delivery attempt'),
      );
    } finally {
      this.sending--;
    }
  }

  private send(message: QueuedMessageRow) {
    return message.channel === 'email'
      ? this.email.send(
          emailOf({
            recipient: message.recipient,
            replyTo: message.reply_to,
            subject: message.subject,
            text: message.text_body,
            html: message.html_body,
          }),
          message.mime_body,
        )
      : this.sms.send(message.recipient, message.text_body ?? '');
  }

  private async failed(message: QueuedMessageRow, error: unknown): Promise<void> {
    const attempts = message.attempts + 1;
    const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const final = attempts >= this.settings.outboxMaxAttempts || error instanceof UndeliverableMessage;
    this.metrics.recordDeliveryFailure(message.channel, final);
    if (final) {
      await this.settle(message.id, 'FAILED', attempts, lastError);
      this.logger.error({ messageId: message.id, attempts, lastError }, 'Message delivery failed for good');
    } else {
      const delay = Math.min(this.settings.outboxBaseDelayMs * 2 ** (attempts - 1), 3_600_000);
      await this.claims.scheduleRetry(message.id, attempts, lastError, Date.now() + delay);
      this.logger.warn({ messageId: message.id, attempts, lastError, retryInMs: delay }, 'Message delivery failed; will retry');
    }
  }

  private settle(id: string, status: DeliveryStatus, attempts: number, lastError: string | null): Promise<void> {
    return this.claims.settle(id, status, attempts, lastError, Date.now(), this.sending > 1);
  }
}

function emailOf(message: {
  recipient: string;
  replyTo?: string | null;
  subject?: string | null;
  text?: string | null;
  html?: string | null;
}): EmailMessage {
  return { to: message.recipient, replyTo: message.replyTo, subject: message.subject ?? '', text: message.text ?? '', html: message.html };
}
