import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService } from '@careid/shared';
import { InvitationsRepository } from '../infrastructure/invitations.repository';

/** EXPIRED is stored within this long of a pending invitation's expiry, whatever OUTBOX_POLL_MS says. */
export const MAX_SWEEP_INTERVAL_MS = 30_000;

/**
 * Stores EXPIRED on pending invitations past their expiry, on the outbox worker's poll interval (OUTBOX_POLL_MS, at
 * most every 30 s), so that `?status=EXPIRED` is a plain filter and an expired invitation stops holding its email.
 * Reads do not wait for it (a pending row past its expiry reads EXPIRED), and a new invitation frees the rows it
 * needs itself. Instances share the work: the statement skips rows another one holds.
 */
@Injectable()
export class InvitationExpiry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InvitationExpiry.name);
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly invitations: InvitationsRepository,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.intervalMs = Math.min(config.get('messaging', { infer: true }).outboxPollMs, MAX_SWEEP_INTERVAL_MS);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweep(), this.intervalMs);
    this.timer.unref();
    this.sweep();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass, unless one is under way. */
  sweep(): void {
    if (this.stopped || this.running) return;
    this.running = this.invitations
      .expireDue(Date.now())
      .then((expired) => {
        if (expired) this.logger.log({ expired }, 'Invitations expired');
      })
      .catch((error: Error) => this.logger.warn({ err: { message: error.message } }, 'Invitation expiry pass failed; will retry'))
      .finally(() => {
        this.running = undefined;
      });
  }
}
