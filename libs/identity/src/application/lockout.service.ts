import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, AuthSettings, DomainError, TransactionHost } from '@careid/shared';

/** An attempt counted as a failure before its secret was checked. */
export interface ReservedAttempt {
  readonly loginKey: string;
  /** When the lock this attempt set ends (epoch ms), or null if it set none. */
  readonly lockSet: number | null;
}

/**
 * Brute-force protection on every path that checks a secret. Consecutive
 * failures for one normalised login (known or not) lock it for a window that
 * starts at LOCKOUT_BASE_SECONDS and doubles up to LOCKOUT_MAX_SECONDS. The
 * state lives in PostgreSQL and is updated with single atomic statements, so
 * it holds under concurrent attempts and across instances.
 */
@Injectable()
export class LockoutService {
  private readonly settings: AuthSettings;

  constructor(
    private readonly tx: TransactionHost,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.settings = config.get('auth', { infer: true });
  }

  /** 429 with Retry-After while the login is locked. */
  async assertNotLocked(loginKey: string): Promise<void> {
    const lockedUntil = await this.lockedUntil(loginKey);
    const now = Date.now();
    if (lockedUntil > now) throw this.lockedError(lockedUntil - now);
  }

  /**
   * Counts an attempt as a failure before its secret is checked, or refuses
   * it (429) while the login is locked. Checking the lock first and counting
   * after let every concurrent guess through; one statement lets at most the
   * maximum through. The attempt that reaches the maximum sets the lock it
   * would earn by failing: a success clears it (`recordSuccess`), an attempt
   * that must not count gives it back (`release`).
   */
  async reserveAttempt(loginKey: string): Promise<ReservedAttempt> {
    const { lockoutMaxFailures: max, lockoutBaseSeconds: base, lockoutMaxSeconds: cap } = this.settings;
    const now = Date.now();
    // Not in the caller's transaction: the count must bind concurrent attempts at once, and callers hold no connection here.
    const rows: { locked_until: string }[] = await this.tx.queryOutsideTransaction(
      `INSERT INTO login_failures AS f (login_key, failures, lock_level, locked_until, updated)
       VALUES ($1, 1, CASE WHEN 1 >= $2 THEN 1 ELSE 0 END, CASE WHEN 1 >= $2 THEN $3::bigint + $4::bigint * 1000 ELSE 0 END, $3)
       ON CONFLICT (login_key) DO UPDATE SET
         failures = f.failures + 1,
         lock_level = CASE WHEN f.failures + 1 >= $2 THEN f.lock_level + 1 ELSE f.lock_level END,
         locked_until = CASE WHEN f.failures + 1 >= $2
           THEN $3::bigint + LEAST($5::bigint, $4::bigint * power(2, LEAST(f.lock_level, 30))::bigint) * 1000
           ELSE f.locked_until END,
         updated = $3
       WHERE f.locked_until <= $3
       RETURNING locked_until`,
      [loginKey, max, now, base, cap],
    );
    if (!rows.length) {
      // Locked: nothing was counted. At least a second, in case a success lifted the lock meanwhile.
      throw this.lockedError(Math.max((await this.lockedUntil(loginKey)) - now, 1));
    }
    const lockedUntil = Number(rows[0].locked_until);
    return { loginKey, lockSet: lockedUntil > now ? lockedUntil : null };
  }

  /** Un-counts a reserved attempt that was not a wrong guess, and lifts the lock it set. */
  async release(attempt: ReservedAttempt): Promise<void> {
    await this.tx.queryOutsideTransaction(
      `UPDATE login_failures SET
         failures = GREATEST(failures - 1, 0),
         lock_level = CASE WHEN locked_until = $2 THEN GREATEST(lock_level - 1, 0) ELSE lock_level END,
         locked_until = CASE WHEN locked_until = $2 THEN 0 ELSE locked_until END
       WHERE login_key = $1`,
      [attempt.loginKey, attempt.lockSet],
    );
  }

  /**
   * Clears the failures, inside the caller's transaction when there is one:
   * a success counts only once it commits, and a transaction that holds a
   * lock (a ticket being used) must not wait for a second pool connection
   * that callers queued on that lock may be holding.
   */
  async recordSuccess(loginKey: string): Promise<void> {
    await this.tx.manager.query('DELETE FROM login_failures WHERE login_key = $1', [loginKey]);
  }

  /** An admin lifts a lock. Returns whether there was anything to clear. */
  async clear(loginKey: string): Promise<boolean> {
    const [, count] = await this.tx.dataSource.query('DELETE FROM login_failures WHERE login_key = $1', [loginKey]);
    return count > 0;
  }

  lockedError(remainingMs: number): DomainError {
    return DomainError.tooMany('LOGIN_LOCKED', 'Too many failed attempts for this login; try again later', Math.ceil(remainingMs / 1000));
  }

  private async lockedUntil(loginKey: string): Promise<number> {
    const rows: { locked_until: string }[] = await this.tx.dataSource.query(
      'SELECT locked_until FROM login_failures WHERE login_key = $1',
      [loginKey],
    );
    return rows.length ? Number(rows[0].locked_until) : 0;
  }
}
