import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AppConfigService, firstRev, TransactionHost } from '@careid/shared';
import { cleanIdentifier, identifierKey } from '../domain/normalize';
import { ADMIN_ROLE } from '../domain/principal';
import { SeededAdminRepository } from '../infrastructure/seeded-admin.repository';
import { PasswordHasher } from './password-hasher';

/**
 * At start-up the admin exists with the ADMIN role. The seeded admin is the
 * one user the seeder created, kept by id (seeded_admin): created once from
 * ADMIN_LOGIN/ADMIN_PASSWORD, never duplicated (concurrent starts take a
 * lock), its password never overwritten on restart, its role given back if
 * it was taken; a new one only when it was deleted. A user that merely has
 * the login ADMIN_LOGIN (another account, or one that took the login after
 * the admin changed or lost it) is never promoted: start-up stops with a
 * message instead.
 */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly admins: SeededAdminRepository,
    private readonly hasher: PasswordHasher,
    @Inject(ConfigService) private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminLogin, adminPassword } = this.config.get('auth', { infer: true });
    const { groupId } = this.config.get('app', { infer: true });
    const login = cleanIdentifier(adminLogin);
    const loginKey = identifierKey(login);
    await this.tx.run(async () => {
      await this.admins.lock();
      const seeded = await this.admins.seeded();
      const holder = await this.admins.liveByLoginKey(loginKey);
      if (holder && holder.id !== seeded?.id) {
        // A deployment from before seeded_admin: its admin is the ADMIN holding the login. Recording it promotes no one.
        if (!seeded && holder.roles.includes(ADMIN_ROLE)) {
          await this.admins.record(holder.id, Date.now());
          this.logger.log(`Recorded the existing admin "${login}" (${holder.id}) as the seeded admin`);
          return;
        }
        throw new Error(
          `ADMIN_LOGIN "${login}" belongs to an existing user (${holder.id}) that the admin seeder did not create; ` +
            "it is never made admin. Set ADMIN_LOGIN to the seeded admin's login or to one no user has.",
        );
      }
      if (seeded && !seeded.deleted) {
        if (!seeded.roles.includes(ADMIN_ROLE)) {
          await this.admins.grantRole(seeded.id, ADMIN_ROLE);
          this.logger.log(`Gave the ADMIN role back to the seeded admin (${seeded.id})`);
        }
        return;
      }
      const now = Date.now();
      const id = randomUUID();
      const passwordHash = await this.hasher.hash(adminPassword);
      await this.admins.create({ id, rev: firstRev(), created: now, login, loginKey, passwordHash, groupId, role: ADMIN_ROLE });
      await this.admins.record(id, now);
      this.logger.log(`Created the admin user "${login}"`);
    });
  }
}
