import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as bcrypt from 'bcrypt';
import type { AppConfigService } from '@careid/shared';
import { MAX_PASSWORD_BYTES } from '../domain/normalize';

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

  /**
   * bcrypt reads only the first 72 bytes: a longer attempt is a wrong password (no password over 72 bytes can be
   * set), still after the same bcrypt work, so its answer and timing are those of any wrong password.
   */
  async verify(password: string, hash: string): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash);
    return matches && Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
  }

  /** The same bcrypt work as a real check, for logins that match no user (no account enumeration by timing). */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash('no-such-user-dummy-password', this.cost);
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }
}
