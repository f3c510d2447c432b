import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { domainError } from '../errors/error-codes';
import { SharedErrors } from '../errors/shared.errors';

/**
 * Characters that change what an identifier means without showing: controls, format characters (bidi overrides,
 * U+200B, U+FEFF, ...), default-ignorables (variation selectors, fillers, soft hyphen), line and paragraph
 * separators, surrogates, private-use and unassigned code points.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/** The first invisible character of `value` as `U+XXXX`, or null. */
export function invisibleCharacterIn(value: string): string | null {
  const match = INVISIBLE.exec(value);
  return match ? `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** 400 INVALID_CHARACTERS when `value` holds a control, format or zero-width character. */
export function assertVisibleText(value: string, field: string): void {
  const found = invisibleCharacterIn(value);
  if (found) {
    throw domainError(SharedErrors.INVALID_CHARACTERS, `${field} contains ${found}, a control, format or zero-width character`, {
      errors: [{ field, message: `must not contain ${found}` }],
    });
  }
}

/**
 * A mobile number in E.164 (`+32470123456`), parsed by libphonenumber-js from the international form
 * (spaces, dots, dashes and brackets allowed); anything it cannot read as a valid number is 400 INVALID_MOBILE.
 */
export function cleanMobile(value: string, field = 'mobile'): string {
  assertVisibleText(value, field);
  const parsed = value.length <= 64 ? parsePhoneNumberFromString(value.trim().normalize('NFKC')) : undefined;
  if (!parsed?.isValid()) {
    throw domainError(
      SharedErrors.INVALID_MOBILE,
      `"${value.slice(0, 40)}" is not a valid mobile number: give it in international form, e.g. +32470123456`,
      { errors: [{ field, message: 'must be a phone number in international form (+<country code><number>)' }] },
    );
  }
  return parsed.number;
}
