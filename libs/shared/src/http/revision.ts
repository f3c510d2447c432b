import { randomBytes } from 'node:crypto';

/** Optimistic-locking revisions `"<n>-<32 hex>"`: n starts at 1 and grows by one on each write. */
export const REV_PATTERN = /^[1-9]\d{0,9}-[0-9a-f]{32}$/;

export function firstRev(): string {
  return `1-${randomBytes(16).toString('hex')}`;
}

export function nextRev(current: string): string {
  const n = Number(current.split('-')[0]);
  return `${n + 1}-${randomBytes(16).toString('hex')}`;
}
