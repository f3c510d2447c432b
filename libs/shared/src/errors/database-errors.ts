import { DomainError } from './domain-error';
import { domainError } from './error-codes';
import { SharedErrors } from './shared.errors';

/**
 * PostgreSQL failures that are the client's doing or a passing outage, turned
 * into domain errors. Everything else stays unexpected (500).
 */

interface UniqueConstraintCode {
  code: string;
  message: string;
}

const uniqueConstraintCodes = new Map<string, UniqueConstraintCode>();

/**
 * Gives a unique index (or a check constraint) a nicer code than the one derived from its name
 * (`uq_users_login` → `DUPLICATE_LOGIN`). Contexts call this next to their schema.
 */
export function registerUniqueConstraintCode(constraint: string, code: string, message: string): void {
  uniqueConstraintCodes.set(constraint, { code, message });
}

export function codeForUniqueConstraint(constraint: string | undefined): UniqueConstraintCode {
  if (constraint && uniqueConstraintCodes.has(constraint)) return uniqueConstraintCodes.get(constraint)!;
  const match = /^uq_[a-z0-9]+?_(.+)$/.exec(constraint ?? '');
  const what = match ? match[1] : 'value';
  return {
    code: `DUPLICATE_${what.toUpperCase()}`,
    message: `A record with this ${what.replace(/_/g, ' ')} already exists`,
  };
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

const CONNECTION_ERROR_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  'the database system is shutting down',
  'the database system is starting up',
  'Query read timeout',
  'Client was closed and is not queryable',
];

function driverErrorOf(error: unknown): { code?: string; constraint?: string; message?: string } | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const candidate = (error as { driverError?: unknown }).driverError ?? error;
  return candidate as { code?: string; constraint?: string; message?: string };
}

/** Returns the domain error a database failure stands for, or undefined when it is unexpected. */
export function translateDatabaseError(error: unknown): DomainError | undefined {
  const driver = driverErrorOf(error);
  if (!driver) return undefined;
  const code = typeof driver.code === 'string' ? driver.code : undefined;
  switch (code) {
    case '23505': {
      const mapped = codeForUniqueConstraint(driver.constraint);
      return DomainError.invalid(mapped.code, mapped.message);
    }
    case '23514': {
      const registered = driver.constraint ? uniqueConstraintCodes.get(driver.constraint) : undefined;
      return registered ? DomainError.invalid(registered.code, registered.message) : domainError(SharedErrors.CONSTRAINT_VIOLATED);
    }
    case '23503':
      return domainError(SharedErrors.REFERENCE_NOT_FOUND);
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22021': // invalid byte sequence (e.g. NUL)
    case '22001': // string too long
      return domainError(SharedErrors.INVALID_VALUE);
    case '54001': // statement too complex
      return domainError(SharedErrors.REQUEST_TOO_COMPLEX);
    case '57014':
      return domainError(SharedErrors.DATABASE_TIMEOUT);
    case '40001':
    case '40P01':
      return domainError(SharedErrors.CONCURRENT_UPDATE);
  }
  if (code && CONNECTION_ERROR_CODES.has(code)) {
    return domainError(SharedErrors.DATABASE_UNAVAILABLE);
  }
  const message = typeof driver.message === 'string' ? driver.message : '';
  if (CONNECTION_ERROR_MESSAGES.some((fragment) => message.includes(fragment))) {
    return domainError(SharedErrors.DATABASE_UNAVAILABLE);
  }
  return undefined;
}
