import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, AuthSettings, DomainError, preparedStatement, TransactionHost } from '@careid/shared';

// Asked by every path that checks a secret (logins and refreshes read the lock with their own statement: see
// assertUnlocked); prepared once per connection (see PreparedStatement).
const LOCK_OF_LOGIN = preparedStatement('lockout.lock-of-login', 'SELECT locked_until FROM login_failures WHERE login_key = $1');
const CLEAR_FAILURES = preparedStatement('lockout.clear-failures', 'DELETE FROM login_failures WHERE login_key = $1');

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

  /** 429 with Retry-After while the login is locked; otherwise whether failures are on record for it. */
  async assertNotLocked(loginKey: string): Promise<{ hasFailures: boolean }> {
    const rows: { locked_until: string }[] = await this.tx.queryOutsideTransaction(LOCK_OF_LOGIN, [loginKey]);
    this.assertUnlocked(rows.length ? Number(rows[0].locked_until) : 0);
    return { hasFailures: rows.length > 0 };
  }

  /** 429 with Retry-After while `lockedUntil` (epoch ms, from the login's row read along with something else) is ahead. */
  assertUnlocked(lockedUntil: number): void {
    const now = Date.now();
    if (lockedUntil > now) throw this.lockedError(lockedUntil - now);
  }

  /** Counts a failure; returns the lock it earned, if any. */
  async recordFailure(loginKey: string): Promise<{ lockedForMs: number }> {
    const { lockoutMaxFailures: max, lockoutBaseSeconds: base, lockoutMaxSeconds: cap } = this.settings;
    const now = Date.now();
    // One statement: count the failure and, from the max-th on, lock for base × 2^level (capped).
    const rows: { locked_until: string }[] = await this.tx.dataSource.query(
      `INSERT INTO login_failures AS f (login_key, failures, lock_level, locked_until, updated)
       VALUES ($1, 1, CASE WHEN 1 >= $2 THEN 1 ELSE 0 END, CASE WHEN 1 >= $2 THEN $3::bigint + $4::bigint * 1000 ELSE 0 END, $3)
       ON CONFLICT (login_key) DO UPDATE SET
         failures = f.failures + 1,
         lock_level = CASE WHEN f.failures + 1 >= $2 THEN f.lock_level + 1 ELSE f.lock_level END,
         locked_until = CASE WHEN f.failures + 1 >= $2
           THEN $3::bigint + LEAST($5::bigint, $4::bigint * power(2, LEAST(f.lock_level, 30))::bigint) * 1000
           ELSE f.locked_until END,
         updated = $3
       RETURNING locked_until`,
      [loginKey, max, now, base, cap],
    );
    const lockedUntil = Number(rows[0].locked_until);
    return { lockedForMs: lockedUntil > now ? lockedUntil - now : 0 };
  }

  /**
   * Clears the failures, inside the caller's transaction when there is one:
   * a success counts only once it commits, and a transaction that holds a
   * lock (a ticket being used) must not wait for a second pool connection
   * that callers queued on that lock may be holding.
   */
  async recordSuccess(loginKey: string): Promise<void> {
    await this.tx.query(CLEAR_FAILURES, [loginKey]);
  }

  /** An admin lifts a lock. Returns whether there was anything to clear. */
  async clear(loginKey: string): Promise<boolean> {
    const [, count] = await this.tx.dataSource.query('DELETE FROM login_failures WHERE login_key = $1', [loginKey]);
    return count > 0;
  }

  lockedError(remainingMs: number): DomainError {
    return DomainError.tooMany('LOGIN_LOCKED', 'Too many failed attempts for this login; try again later', Math.ceil(remainingMs / 1000));
  }
}
