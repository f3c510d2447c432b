import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as bcrypt from 'bcrypt';
import type { AppConfigService } from '@careid/shared';

/** bcrypt on libuv's thread pool (native `bcrypt`, not the main thread) at the configured cost. */
@Injectable()
export class PasswordHasher {
  private readonly cost: number;
  private dummyHash: Promise<string> | undefined;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    this.cost = config.get('auth', { infer: true }).bcryptCost;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }

  /** The same bcrypt work as a real check, for logins that match no user (no account enumeration by timing). */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('no-such-user-dummy-password', this.cost);
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }
}
