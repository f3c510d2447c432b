import { DomainError } from '@careid/shared';

/** Logins and emails are kept as typed (trimmed, NFC) and compared through a lower-cased key. */
export function cleanIdentifier(value: string): string {
  return value.trim().normalize('NFC');
}

export function identifierKey(value: string): string {
  return cleanIdentifier(value).toLowerCase();
}

// Deliberately plain: one @, a dot in the domain, no spaces or control characters.
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]{2,}$/u;

export function cleanEmail(value: string): string {
  const email = cleanIdentifier(value);
  if (email.length > 254 || !EMAIL.test(email))
    throw DomainError.invalid('INVALID_EMAIL', `"${email.slice(0, 100)}" is not a valid email address`);
  return email;
}

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_BYTES = 72; // bcrypt ignores anything beyond

/** Password rules: at least 8 characters, at most 72 bytes, not the login. */
export function assertPasswordAcceptable(password: string, login: string | null | undefined): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw DomainError.invalid('PASSWORD_TOO_SHORT', `The password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw DomainError.invalid('PASSWORD_TOO_LONG', `The password must not exceed ${MAX_PASSWORD_BYTES} bytes`);
  }
  if (login && identifierKey(password) === identifierKey(login)) {
    throw DomainError.invalid('PASSWORD_EQUALS_LOGIN', 'The password must not be the login');
  }
}
