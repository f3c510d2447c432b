import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, DomainError, Metrics } from '@careid/shared';
import { identityError } from '../domain/identity.errors';
import { LockoutRule, LoginFailuresRepository } from '../infrastructure/login-failures.repository';

/**
 * Brute-force protection on every path that checks a secret. Consecutive
 * failures for one normalised login (known or not) lock it for a window that
 * starts at LOCKOUT_BASE_SECONDS and doubles up to LOCKOUT_MAX_SECONDS. The
 * state lives in PostgreSQL and is updated with single atomic statements, so
 * it holds under concurrent attempts and across instances.
 */
@Injectable()
export class LockoutService {
  private readonly rule: LockoutRule;

  constructor(
    private readonly failures: LoginFailuresRepository,
    private readonly metrics: Metrics,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    const { lockoutMaxFailures, lockoutBaseSeconds, lockoutMaxSeconds } = config.get('auth', { infer: true });
    this.rule = { maxFailures: lockoutMaxFailures, baseSeconds: lockoutBaseSeconds, maxSeconds: lockoutMaxSeconds };
  }

  /** 429 with Retry-After while the login is locked; otherwise whether failures are on record for it. */
  async assertNotLocked(loginKey: string): Promise<{ hasFailures: boolean }> {
    const lockedUntil = await this.failures.lockedUntil(loginKey);
    this.assertUnlocked(lockedUntil ?? 0);
    return { hasFailures: lockedUntil !== null };
  }

  /** 429 with Retry-After while `lockedUntil` (epoch ms, from the login's row read along with something else) is ahead. */
  assertUnlocked(lockedUntil: number): void {
    const now = Date.now();
    if (lockedUntil > now) throw this.lockedError(lockedUntil - now);
  }

  /** Counts a failure; returns the lock it earned, if any. */
  async recordFailure(loginKey: string): Promise<{ lockedForMs: number }> {
    const now = Date.now();
    const lockedUntil = await this.failures.recordFailure(loginKey, this.rule, now);
    if (lockedUntil > now) this.metrics.recordLockout();
    return { lockedForMs: lockedUntil > now ? lockedUntil - now : 0 };
  }

  /**
   * Clears the failures, inside the caller's transaction when there is one:
   * a success counts only once it commits, and a transaction that holds a
   * lock (a ticket being used) must not wait for a second pool connection
   * that callers queued on that lock may be holding.
   */
  async recordSuccess(loginKey: string): Promise<void> {
    await this.failures.clearFailures(loginKey);
  }

  /** An admin lifts a lock. Returns whether there was anything to clear. */
  clear(loginKey: string): Promise<boolean> {
    return this.failures.liftLock(loginKey);
  }

  lockedError(remainingMs: number): DomainError {
    return identityError('LOGIN_LOCKED', undefined, { retryAfterSeconds: Math.ceil(remainingMs / 1000) });
  }
}
