import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfigService } from '@careid/shared';

/** Marks a value this cipher wrote: `enc:v1:` + base64(IV (12 bytes) | tag (16) | ciphertext). */
export const ENCRYPTED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM under DATA_ENCRYPTION_KEY, for values kept at rest that must
 * be read back (users' TOTP secrets). Each value is bound to where it is
 * stored (`users.secret:<user id>` as additional data): a ciphertext copied
 * to another user's row or column does not open.
 */
@Injectable()
export class SecretCipher {
  private readonly key: Buffer;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    this.key = config.get('auth', { infer: true }).dataEncryptionKey;
  }

  static isEncrypted(stored: string): boolean {
    return stored.startsWith(ENCRYPTED_PREFIX);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ENCRYPTED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain value; throws when the key or the context is not the one it was sealed with, or it was altered. */
  open(stored: string, context: string): string {
    if (!SecretCipher.isEncrypted(stored)) throw new Error(`Not an encrypted value (${context})`);
    const raw = Buffer.from(stored.slice(ENCRYPTED_PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
