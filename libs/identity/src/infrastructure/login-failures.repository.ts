import { Injectable } from '@nestjs/common';
import { preparedStatement, TransactionHost } from '@careid/shared';

// Asked by every path that checks a secret (logins and refreshes read the lock with their own statement: see
// LockoutService.assertUnlocked); prepared once per connection (see PreparedStatement).
const LOCK_OF_LOGIN = preparedStatement('lockout.lock-of-login', 'SELECT locked_until FROM login_failures WHERE login_key = $1');
const CLEAR_FAILURES = preparedStatement('lockout.clear-failures', 'DELETE FROM login_failures WHERE login_key = $1');

/** How failures lock a login: from the `maxFailures`-th on, for base × 2^level seconds, capped. */
export interface LockoutRule {
  maxFailures: number;
  baseSeconds: number;
  maxSeconds: number;
}

/** The statements of the lockout counters (`login_failures`), each a single atomic statement. */
@Injectable()
export class LoginFailuresRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The login's row, outside any transaction: null when no failure is on record. */
  async lockedUntil(loginKey: string): Promise<number | null> {
    const rows: { locked_until: string }[] = await this.tx.queryOutsideTransaction(LOCK_OF_LOGIN, [loginKey]);
    return rows.length ? Number(rows[0].locked_until) : null;
  }

  /** Counts a failure (outside the caller's transaction: it stands if the caller fails); returns the login's lock (epoch ms). */
  async recordFailure(loginKey: string, rule: LockoutRule, now: number): Promise<number> {
    // One statement: count the failure and, from the max-th on, lock for base × 2^level (capped).
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
       RETURNING locked_until`,
      [loginKey, rule.maxFailures, now, rule.baseSeconds, rule.maxSeconds],
    );
    return Number(rows[0].locked_until);
  }

  /** Clears the login's failures, inside the caller's transaction when there is one. */
  clearFailures(loginKey: string): Promise<unknown> {
    return this.tx.query(CLEAR_FAILURES, [loginKey]);
  }

  /** Clears the login's failures at once (outside any transaction); returns whether there were any. */
  async liftLock(loginKey: string): Promise<boolean> {
    const [, count] = await this.tx.queryOutsideTransaction('DELETE FROM login_failures WHERE login_key = $1', [loginKey]);
    return count > 0;
  }
}
