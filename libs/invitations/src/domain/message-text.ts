/**
 * What a value may look like once it is in a message. Every value a template
 * receives is one line (a user-supplied name must not add a `Login:` or
 * `Token:` line of its own), and a mail header holds a single plain address.
 */

/** Characters that end a line somewhere: CR, LF, VT, FF, NEL (U+0085), U+2028, U+2029, and the other C0/C1 controls. */
const LINE_BREAKS_AND_CONTROLS = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
/** Invisible characters that reorder or hide text: bidi embeddings, overrides, isolates and marks, zero-width spaces, BOM, lone surrogates. */
const BIDI_AND_INVISIBLE = /[\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]|\p{Cs}/gu;
const ANY_OF_THEM = new RegExp(`[\\p{Cc}\\p{Zl}\\p{Zp}]|${BIDI_AND_INVISIBLE.source}`, 'u');

/** The value as one line: line breaks and controls become a space, invisible controls go, runs of spaces shrink to one. */
export function oneLine(value: string): string {
  return value.replace(BIDI_AND_INVISIBLE, '').replace(LINE_BREAKS_AND_CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** True when a header value holds anything that could end the header or hide text. */
export function hasLineBreakOrControl(value: string): boolean {
  return ANY_OF_THEM.test(value);
}

// RFC 5322 dot-atom on both sides (letters beyond ASCII allowed, as SMTPUTF8 does): no quotes, commas,
// angle brackets, spaces or comments, so an address cannot carry a second address or a display name.
const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?';
const MAILBOX = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`, 'u');

/** A single plain address (`local@domain`), fit for To and Reply-To. */
export function isMailboxAddress(value: string): boolean {
  return value.length <= 254 && value.split('@')[0].length <= 64 && MAILBOX.test(value);
}
