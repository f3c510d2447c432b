import type { Configuration } from '@careid/shared';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P03']);
const REFUSED_LOGIN = new Set(['28P01', '28000']); // invalid_password, invalid_authorization_specification

/** The codes of an error and of every error it wraps (TypeORM's, Node's AggregateError of each address tried). */
function codesOf(error: unknown, seen = new Set<unknown>()): string[] {
  if (!error || typeof error !== 'object' || seen.has(error)) return [];
  seen.add(error);
  const { code, cause, driverError, errors } = error as { code?: unknown; cause?: unknown; driverError?: unknown; errors?: unknown };
  const nested = [cause, driverError, ...(Array.isArray(errors) ? errors : [])].flatMap((inner) => codesOf(inner, seen));
  return [...(typeof code === 'string' ? [code] : []), ...nested];
}

/** A database URL without its password, for a message. */
export function redactedDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable)';
  }
}

/**
 * One line that names the setting to fix when start-up fails for a reason
 * an operator can act on, else undefined (the caller logs the stack).
 */
export function startupFailureMessage(error: unknown, configuration: Configuration): string | undefined {
  const codes = codesOf(error);
  const database = configuration.database.url ? redactedDatabaseUrl(configuration.database.url) : 'the embedded PostgreSQL';
  const unreachable = codes.find((code) => UNREACHABLE.has(code));
  if (unreachable)
    return `Cannot reach the database at DATABASE_URL=${database} (${unreachable}): is PostgreSQL running there, and is the host and port right?`;
  if (codes.some((code) => REFUSED_LOGIN.has(code)))
    return `The database refused the login in DATABASE_URL=${database}: check its user and password`;
  if (codes.includes('3D000')) return `The database named in DATABASE_URL=${database} does not exist: create it first (createdb)`;
  if (codes.includes('EADDRINUSE')) return `PORT ${configuration.app.port} is already in use: stop the other process or set PORT`;
  if (codes.includes('EACCES')) return `PORT ${configuration.app.port} cannot be opened by this user: use a port above 1023`;
  return undefined;
}
