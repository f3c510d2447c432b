import { domainError } from '../errors/error-codes';
import { SharedErrors } from '../errors/shared.errors';

/** Deeper JSON is refused before parsing: recursive code downstream (validation, transformation) must never overflow its stack. */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of `[`/`{` in a JSON text, stopping early past `limit` (strings are skipped). */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return false;
}

/** Parses a JSON request body: empty → undefined, malformed or too deep → 400 problem, `__proto__` keys refused. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return undefined;
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw domainError(SharedErrors.JSON_TOO_DEEP, `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw domainError(SharedErrors.MALFORMED_JSON);
  }
  if (/"(__proto__|constructor)"\s*:/.test(text) && hasPoisonedKey(value)) {
    throw domainError(SharedErrors.MALFORMED_JSON, 'The request body uses a forbidden property name');
  }
  return value;
}

function hasPoisonedKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || (key === 'constructor' && typeof (value as Record<string, unknown>)[key] === 'object')) return true;
    if (hasPoisonedKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
