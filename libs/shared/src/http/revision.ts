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

/**
 * SQL expression for the next revision of a row's `rev` column, with a fresh random suffix per row:
 * for writes that bump many rows at once or that have no client rev (delegations, deletes).
 */
export const NEXT_REV_SQL = `(split_part(rev, '-', 1)::int + 1)::text || '-' || md5(random()::text || clock_timestamp()::text)`;
