import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@careid/shared';
import { loginSkeleton } from '../domain/normalize';

export interface AdminCandidate {
  id: string;
  roles: string[];
  deleted: boolean;
}

export interface NewAdmin {
  id: string;
  rev: string;
  created: number;
  login: string;
  loginKey: string;
  passwordHash: string;
  groupId: string;
  role: string;
}

/** The seeded admin's record (seeded_admin) and the statements the seeder runs on users. */
@Injectable()
export class SeededAdminRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Serializes seeders of concurrently starting instances until the transaction ends. */
  async lock(): Promise<void> {
    await this.tx.query(`SELECT pg_advisory_xact_lock(hashtext('careid:seeded-admin'))`);
  }

  /** The user the seeder created, live or deleted; undefined when none was ever recorded. */
  async seeded(): Promise<AdminCandidate | undefined> {
    const rows: AdminCandidate[] = await this.tx.query(
      `SELECT u.id, u.roles, u.deletion_date IS NOT NULL AS deleted FROM seeded_admin s JOIN users u ON u.id = s.user_id`,
    );
    return rows[0];
  }

  async liveByLoginKey(loginKey: string): Promise<AdminCandidate | undefined> {
    const rows: AdminCandidate[] = await this.tx.query(
      `SELECT id, roles, false AS deleted FROM users WHERE login_key = $1 AND deletion_date IS NULL`,
      [loginKey],
    );
    return rows[0];
  }

  async record(userId: string, now: number): Promise<void> {
    await this.tx.query(
      `INSERT INTO seeded_admin (user_id, created) VALUES ($1, $2) ON CONFLICT (singleton) DO UPDATE SET user_id = EXCLUDED.user_id, created = EXCLUDED.created`,
      [userId, now],
    );
  }

  async create(admin: NewAdmin): Promise<void> {
    await this.tx.query(
      `INSERT INTO users (id, rev, created, modified, name, roles, status, login, login_key, login_skeleton, password_hash, group_id, created_date)
       VALUES ($1, $2, $3, $3, $4, $5, 'ACTIVE', $4, $6, $9, $7, $8, $3)`,
      [
        admin.id,
        admin.rev,
        admin.created,
        admin.login,
        [admin.role],
        admin.loginKey,
        admin.passwordHash,
        admin.groupId,
        loginSkeleton(admin.login),
      ],
    );
  }

  /** Gives the role back (and ends the user's sessions, as any role change does). */
  async grantRole(userId: string, role: string): Promise<void> {
    await this.tx.query(`UPDATE users SET roles = array_append(roles, $2), session_version = session_version + 1 WHERE id = $1`, [
      userId,
      role,
    ]);
  }
}
