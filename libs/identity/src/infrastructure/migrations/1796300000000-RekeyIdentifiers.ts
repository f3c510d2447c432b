import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { confusableSkeleton, identifierKey } from '../../domain/normalize';

const BATCH = 1000;

/**
 * What a key that lost a collision becomes: unique (it names the user) and never the key of anything typed
 * (U+0001 is refused in identifiers), so the older user keeps the identifier and the newer one is reported.
 */
export function collisionKey(key: string, id: string): string {
  return `${key}\u0001${id}`;
}

export interface IdentifierCollision {
  table: 'users' | 'invitations';
  id: string;
  field: 'login' | 'loginSkeleton' | 'email';
  value: string;
  collidesWith: string;
}

/**
 * Reports a collision where an admin sees it (GET /audit-events?type=IDENTIFIER_COLLISION) and in the start-up
 * log: the newer record keeps its identifier as typed but no longer claims it, until an admin changes it.
 */
export async function reportCollision(db: QueryRunner, collision: IdentifierCollision, migration: string): Promise<void> {
  const targetType = collision.table === 'users' ? 'User' : 'Invitation';
  new Logger(migration).warn(
    `${targetType} ${collision.id}: ${collision.field} "${collision.value}" now equals that of ${targetType} ${collision.collidesWith}; ` +
      'the older one keeps it, change this one',
  );
  await db.query(
    `INSERT INTO audit_events (occurred, type, outcome, target_type, target_id, details)
     VALUES ($1, 'IDENTIFIER_COLLISION', 'failure', $2, $3, $4)`,
    [Date.now(), targetType, collision.id, JSON.stringify({ ...collision, migration })],
  );
}

/**
 * Logins and emails were compared lower-cased (NFC); they are now compared after NFKC and full case folding, and
 * live logins must not share a confusable skeleton (UTS #39). Every key is computed again; among live users the
 * oldest keeps an identifier that now collides, the others get a collision key and are reported. Lockout rows
 * (keyed by the login typed) are re-keyed too, merged by keeping the stricter state.
 */
export class RekeyIdentifiers1796300000000 implements MigrationInterface {
  name = 'RekeyIdentifiers1796300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN login_skeleton text`);
    await db.query(`DROP INDEX uq_users_login`);
    await db.query(`DROP INDEX uq_users_email`);

    const owners = { login: new Map<string, string>(), loginSkeleton: new Map<string, string>(), email: new Map<string, string>() };
    let after: [string, string] = ['-9223372036854775808', '00000000-0000-0000-0000-000000000000'];
    for (;;) {
      const rows: { id: string; created: string; login: string; email: string | null; live: boolean }[] = await db.query(
        `SELECT id, created::text AS created, login, email, deletion_date IS NULL AS live FROM users
         WHERE (created, id) > ($1::bigint, $2::uuid) ORDER BY created, id LIMIT ${BATCH}`,
        after,
      );
      if (!rows.length) break;
      const updates: { id: string; loginKey: string; loginSkeleton: string; emailKey: string | null }[] = [];
      for (const row of rows) {
        const values = { login: identifierKey(row.login), loginSkeleton: '', email: row.email ? identifierKey(row.email) : null };
        values.loginSkeleton = confusableSkeleton(values.login);
        if (row.live) {
          // The first live user with a key keeps it; a later one gets a collision key, and is reported.
          const claim = async (field: IdentifierCollision['field'], key: string, value: string): Promise<boolean> => {
            const owner = owners[field].get(key);
            if (owner === undefined) owners[field].set(key, row.id);
            else await reportCollision(db, { table: 'users', id: row.id, field, value, collidesWith: owner }, this.name);
            return owner === undefined;
          };
          if (!(await claim('login', values.login, row.login))) {
            values.login = collisionKey(values.login, row.id);
            values.loginSkeleton = collisionKey(values.loginSkeleton, row.id); // the same login has the same skeleton
          } else if (!(await claim('loginSkeleton', values.loginSkeleton, row.login))) {
            values.loginSkeleton = collisionKey(values.loginSkeleton, row.id);
          }
          if (values.email !== null && !(await claim('email', values.email, row.email!))) values.email = collisionKey(values.email, row.id);
        }
        updates.push({ id: row.id, loginKey: values.login, loginSkeleton: values.loginSkeleton, emailKey: values.email });
      }
      await db.query(
        `UPDATE users u SET login_key = v.login_key, login_skeleton = v.login_skeleton, email_key = v.email_key
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(id, login_key, login_skeleton, email_key)
         WHERE u.id = v.id`,
        [updates.map((u) => u.id), updates.map((u) => u.loginKey), updates.map((u) => u.loginSkeleton), updates.map((u) => u.emailKey)],
      );
      const last = rows[rows.length - 1];
      after = [last.created, last.id];
    }

    await db.query(`ALTER TABLE users ALTER COLUMN login_skeleton SET NOT NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_users_login ON users (login_key) WHERE deletion_date IS NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_users_login_skeleton ON users (login_skeleton) WHERE deletion_date IS NULL`);
    await db.query(`CREATE UNIQUE INDEX uq_users_email ON users (email_key) WHERE deletion_date IS NULL AND email_key IS NOT NULL`);

    // Lockout state: a lock kept under the old key must still hold under the new one.
    const failures: { login_key: string }[] = await db.query(`SELECT login_key FROM login_failures`);
    for (const { login_key: oldKey } of failures) {
      const newKey = identifierKey(oldKey);
      if (newKey === oldKey) continue;
      await db.query(
        `WITH old AS (DELETE FROM login_failures WHERE login_key = $1 RETURNING failures, lock_level, locked_until, updated)
         INSERT INTO login_failures AS f (login_key, failures, lock_level, locked_until, updated)
         SELECT $2, failures, lock_level, locked_until, updated FROM old
         ON CONFLICT (login_key) DO UPDATE SET failures = GREATEST(f.failures, EXCLUDED.failures),
           lock_level = GREATEST(f.lock_level, EXCLUDED.lock_level), locked_until = GREATEST(f.locked_until, EXCLUDED.locked_until),
           updated = GREATEST(f.updated, EXCLUDED.updated)`,
        [oldKey, newKey],
      );
    }
  }

  /** Drops the skeleton; keys stay in the new form (the old lower-casing cannot be told apart from it afterwards). */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX uq_users_login_skeleton`);
    await db.query(`ALTER TABLE users DROP COLUMN login_skeleton`);
  }
}
