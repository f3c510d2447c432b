import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tokens and tickets are 256 random bits, shown once; only their SHA-256 is
 * stored (a fast hash is right for high-entropy secrets, and keeps token
 * logins and refreshes cheap).
 */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The shape of a value from `newSecret`, to tell a token from a password without a lookup. */
export const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function sameSecret(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
