import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CustomMessage } from '../domain/message-template';
import { escapeHtml, oneLine } from '../domain/message-text';

/** The name a message signs with when the caller names no solution. */
export const DEFAULT_SOLUTION_NAME = 'Careid';

export type MessageKind = 'patient-invitation' | 'profile-invitation' | 'password-reset';
export type Variables = Record<string, string | undefined>;

const TEMPLATE_DIR = join(__dirname, '..', 'templates');
const cache = new Map<string, string>();

function load(file: string): string {
  let template = cache.get(file);
  if (template === undefined) {
    template = readFileSync(join(TEMPLATE_DIR, file), 'utf8');
    cache.set(file, template);
  }
  return template;
}

/**
 * A small mustache: `{{name}}` is replaced by the value made one line (so no
 * value adds a line, a `Login:` or `Token:` of its own, or a header), then
 * HTML-escaped in HTML templates; `{{#name}}...{{/name}}` is kept only when
 * `name` has a value. Every message, default or not, is rendered here.
 */
export function renderTemplate(template: string, variables: Variables, html: boolean): string {
  const values = new Map(Object.entries(variables).map(([name, value]) => [name, oneLine(value ?? '')]));
  const withSections = template.replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_, name: string, body: string) =>
    values.get(name) ? body : '',
  );
  return withSections.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values.get(name) ?? '';
    return html ? escapeHtml(value) : value;
  });
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html?: string;
}

/** Renders `templates/<kind>.<channel>.txt` (first line `Subject: ...` for email) and, for email, `<kind>.email.html`. */
export function renderMessage(kind: MessageKind, channel: 'email' | 'sms', variables: Variables): RenderedMessage {
  const text = renderTemplate(load(`${kind}.${channel}.txt`), variables, false);
  if (channel === 'sms') return { subject: '', text: text.trim() };
  const [first, ...rest] = text.split('\n');
  const subject = first.replace(/^Subject:\s*/, '').trim();
  return { subject, text: rest.join('\n').replace(/^\n+/, ''), html: renderTemplate(load(`${kind}.email.html`), variables, true) };
}

/** The values a patient invitation's message is rendered with. */
export interface PatientInvitationValues {
  solutionName: string;
  patientName: string;
  practitionerName: string;
  login: string;
  token: string;
  loginUrl?: string;
  expiresAt: string;
}

/**
 * A patient invitation's message: the default templates, or the caller's own
 * (checked by assertCustomMessage) part by part. A custom body replaces both
 * default bodies, so that a mail client never shows a text the caller did not
 * write; a custom subject is made one line, as any header.
 */
export function renderPatientInvitation(
  channel: 'email' | 'sms',
  values: PatientInvitationValues,
  custom?: CustomMessage,
): RenderedMessage {
  const defaults = () => renderMessage('patient-invitation', channel, { ...values, name: values.patientName });
  const variables: Variables = { ...values };
  if (channel === 'sms') {
    return custom?.text === undefined ? defaults() : { subject: '', text: renderTemplate(custom.text, variables, false).trim() };
  }
  if (!custom) return defaults();
  const customBody = custom.text !== undefined || custom.html !== undefined;
  const fallback = customBody && custom.subject !== undefined ? undefined : defaults();
  return {
    subject: custom.subject === undefined ? fallback!.subject : oneLine(renderTemplate(custom.subject, variables, false)),
    text: customBody ? (custom.text === undefined ? '' : renderTemplate(custom.text, variables, false)) : fallback!.text,
    html: customBody ? (custom.html === undefined ? undefined : renderTemplate(custom.html, variables, true)) : fallback!.html,
  };
}
