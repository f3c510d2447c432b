import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
