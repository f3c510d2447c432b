import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, firstRev, TransactionHost } from '@careid/shared';
import { cleanIdentifier, identifierKey, loginSkeleton } from '../domain/normalize';
import { ADMIN_ROLE } from '../domain/principal';
import { PasswordHasher } from './password-hasher';

/**
 * At start-up the admin named by ADMIN_LOGIN exists with the ADMIN role:
 * created if absent, never duplicated (the unique login index settles
 * concurrent starts), and its password is not overwritten on restart.
 */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly hasher: PasswordHasher,
    @Inject(ConfigService) private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminLogin, adminPassword } = this.config.get('auth', { infer: true });
    const { groupId } = this.config.get('app', { infer: true });
    const login = cleanIdentifier(adminLogin);
    const loginKey = identifierKey(login);
    const existing: { id: string; roles: string[] }[] = await this.tx.query(
      'SELECT id, roles FROM users WHERE login_key = $1 AND deletion_date IS NULL',
      [loginKey],
    );
    if (existing.length) {
      if (!existing[0].roles.includes(ADMIN_ROLE)) {
        await this.tx.query(`UPDATE users SET roles = array_append(roles, $2), session_version = session_version + 1 WHERE id = $1`, [
          existing[0].id,
          ADMIN_ROLE,
        ]);
        this.logger.log(`Gave the ADMIN role back to ${login}`);
      }
      return;
    }
    const now = Date.now();
    const rows: unknown[] = await this.tx.query(
      `INSERT INTO users (id, rev, created, modified, name, roles, status, login, login_key, login_skeleton, password_hash, group_id, created_date)
       VALUES ($1, $2, $3, $3, $4, $5, 'ACTIVE', $4, $6, $9, $7, $8, $3)
       ON CONFLICT (login_key) WHERE deletion_date IS NULL DO NOTHING RETURNING id`,
      [randomUUID(), firstRev(), now, login, [ADMIN_ROLE], loginKey, await this.hasher.hash(adminPassword), groupId, loginSkeleton(login)],
    );
    if (rows.length) this.logger.log(`Created the admin user "${login}"`);
  }
}
