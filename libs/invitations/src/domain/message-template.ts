import { invitationsError } from './invitations.errors';

/**
 * A caller's own invitation message (`message` on single and bulk invites):
 * `{subject?, text?, html?}` templates whose placeholders the server fills,
 * each value made one line and HTML-escaped in `html` (templates.ts). The
 * template itself is the caller's text: it may span lines, but carries no
 * control or invisible character, names only known placeholders, and every
 * body it gives holds `{{token}}` (the patient cannot activate without it).
 */
export interface CustomMessage {
  subject?: string;
  text?: string;
  html?: string;
}

export const MESSAGE_PLACEHOLDERS = ['login', 'token', 'loginUrl', 'patientName', 'practitionerName', 'solutionName'] as const;
export type MessagePlaceholder = (typeof MESSAGE_PLACEHOLDERS)[number];

export const MESSAGE_LIMITS = { subject: 200, text: 5_000, html: 20_000 } as const;

const KNOWN = new Set<string>(MESSAGE_PLACEHOLDERS);
/** Every `{{...}}`, placeholder or section (`{{#loginUrl}}...{{/loginUrl}}`), including malformed ones. */
const MUSTACHE = /\{\{([^{}]*)\}\}/g;
/** C0/C1 controls other than tab and line breaks, line/paragraph separators, bidi and zero-width characters. */
const FORBIDDEN_CHARACTER = /(?![\t\n\r])\p{Cc}|[\u061C\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF]|\p{Cs}/u;

function refuse(code: 'INVALID_MESSAGE_TEMPLATE' | 'UNKNOWN_PLACEHOLDER' | 'MESSAGE_TOKEN_MISSING', field: string, message: string) {
  return invitationsError(code, `message.${field}: ${message}`, { errors: [{ field: `message.${field}`, message }] });
}

function placeholdersOf(field: string, template: string): Set<string> {
  const names = new Set<string>();
  for (const [, inner] of template.matchAll(MUSTACHE)) {
    const name = inner.replace(/^[#/]/, '');
    if (!KNOWN.has(name)) {
      throw refuse(
        'UNKNOWN_PLACEHOLDER',
        field,
        `unknown placeholder {{${inner}}}; use ${MESSAGE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
    }
    names.add(inner);
  }
  // A lone "{{" or "}}" left after the placeholders is a typo the caller would rather hear about than send.
  if (/\{\{|\}\}/.test(template.replace(MUSTACHE, ''))) throw refuse('INVALID_MESSAGE_TEMPLATE', field, 'unbalanced {{ or }}');
  return names;
}

function assertPart(field: keyof CustomMessage, template: string): Set<string> {
  if (template.length > MESSAGE_LIMITS[field])
    throw refuse('INVALID_MESSAGE_TEMPLATE', field, `longer than ${MESSAGE_LIMITS[field]} characters`);
  if (FORBIDDEN_CHARACTER.test(template)) throw refuse('INVALID_MESSAGE_TEMPLATE', field, 'holds a control or invisible character');
  if (!template.trim()) throw refuse('INVALID_MESSAGE_TEMPLATE', field, 'is empty');
  return placeholdersOf(field, template);
}

/**
 * Checks a custom message for a channel: for SMS only `text` counts; for email every body given (`text`, `html`)
 * holds `{{token}}`, and the subject never does (subjects show in notifications and relay logs).
 */
export function assertCustomMessage(message: CustomMessage, channel: 'email' | 'sms' | undefined): void {
  for (const field of ['subject', 'text', 'html'] as const) {
    const template = message[field];
    if (template === undefined) continue;
    const names = assertPart(field, template);
    if (field === 'subject' && names.has('token')) throw refuse('INVALID_MESSAGE_TEMPLATE', field, 'must not carry {{token}}');
    const counts = field === 'text' || (field === 'html' && channel !== 'sms');
    if (field !== 'subject' && counts && !names.has('token')) throw refuse('MESSAGE_TOKEN_MISSING', field, 'must carry {{token}}');
  }
}
