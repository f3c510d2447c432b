import type { InvitePatientOptions, MessageTemplate } from './contract.js';
import type { Patient, Practitioner } from './models.js';

// iCure's message factories, for `createAndInviteUser(patient, messageFactory, tokenDurationSeconds)`.
// iCure renders the message in the client, with the user and the password it made there. Careid makes the
// user and the token on the server, so the SDK calls the factory's `get` once with placeholders instead of
// values and sends the result as the invite's `message` templates; the server fills and escapes the values.

/** What an email factory returns (iCure's shape; `text` is Careid's plain-text part). */
export interface EmailMessage {
  /** Ignored: Careid sends from MAIL_FROM, with the inviting practitioner's email as Reply-To. */
  from?: string;
  subject?: string;
  html?: string;
  text?: string;
}

/** What an SMS factory returns (iCure's shape). */
export interface SMSMessage {
  message: string;
}

/** The user a factory writes to: when the SDK calls `get`, its `login` is the `{{login}}` placeholder. */
export interface MessageRecipient {
  login: string;
}

/**
 * iCure's message factory: `get(recipient, recipientPassword)` writes the message. Careid also reads `link`
 * (sent as `loginUrl`) and `solutionName` when the factory has them.
 */
export interface MessageFactory<T extends EmailMessage | SMSMessage> {
  link?: string;
  solutionName?: string;
  get(recipient: MessageRecipient, recipientPassword: string): T;
}

export type EmailMessageFactory = MessageFactory<EmailMessage>;
export type SMSMessageFactory = MessageFactory<SMSMessage>;

/** The placeholders the server fills in a `message` template. */
export const MessagePlaceholder = {
  LOGIN: '{{login}}',
  TOKEN: '{{token}}',
  LOGIN_URL: '{{loginUrl}}',
  PATIENT_NAME: '{{patientName}}',
  PRACTITIONER_NAME: '{{practitionerName}}',
  SOLUTION_NAME: '{{solutionName}}',
} as const;

const P = MessagePlaceholder;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The invitation mail of iCure's ICureRegistrationEmail, with iCure's constructor. The names and the link are
 * placeholders, so that the server fills them from the records and escapes them; the `Login:` and `Token:`
 * lines are the ones Careid's default message has.
 */
export class ICureRegistrationEmail implements EmailMessageFactory {
  /**
   * @param hcp the inviting practitioner (kept for iCure's signature: Careid names the calling practitioner)
   * @param link where the patient logs in; on an origin of the server's ALLOWED_REDIRECT_ORIGINS
   * @param solutionName the name of your application, shown in the subject and the text
   * @param patient the invited patient (kept for iCure's signature: Careid names each invited patient, so one
   *   factory serves a bulk invitation too)
   */
  constructor(
    readonly hcp: Practitioner | Patient,
    readonly link: string,
    readonly solutionName: string,
    readonly patient?: Patient,
  ) {}

  get(recipient: MessageRecipient, recipientPassword: string): EmailMessage {
    const atLink = this.link ? ` at ${P.LOGIN_URL}` : '';
    return {
      subject: `You have been invited to use ${P.SOLUTION_NAME}`,
      text: [
        `Dear ${P.PATIENT_NAME},`,
        '',
        `${P.PRACTITIONER_NAME} invited you to use ${P.SOLUTION_NAME}. Log in${atLink} with the following credentials:`,
        '',
        `Login: ${recipient.login}`,
        `Token: ${recipientPassword}`,
        '',
      ].join('\n'),
      html: [
        `<p>Dear ${P.PATIENT_NAME},</p>`,
        `<p>${P.PRACTITIONER_NAME} invited you to use <strong>${P.SOLUTION_NAME}</strong>. Log in with the following credentials:</p>`,
        `<p>Login: <code>${escapeHtml(recipient.login)}</code><br />Token: <code>${escapeHtml(recipientPassword)}</code></p>`,
        this.link ? `<p><a href="${P.LOGIN_URL}">Log in to ${P.SOLUTION_NAME}</a></p>` : '',
      ].join('\n'),
    };
  }
}

/** The invitation SMS of iCure's ICureRegistrationSMS, with iCure's constructor; short, with the `Login:` and `Token:` lines. */
export class ICureRegistrationSMS implements SMSMessageFactory {
  /** The parameters of ICureRegistrationEmail's. */
  constructor(
    readonly hcp: Practitioner | Patient,
    readonly link: string,
    readonly solutionName: string,
    readonly patient?: Patient,
  ) {}

  get(recipient: MessageRecipient, recipientPassword: string): SMSMessage {
    const lines = [`${P.SOLUTION_NAME}: ${P.PRACTITIONER_NAME} invited you.`, `Login: ${recipient.login}`, `Token: ${recipientPassword}`];
    if (this.link) lines.push(P.LOGIN_URL);
    return { message: lines.join('\n') };
  }
}

/** True for an object with iCure's factory `get` method, false for an options object. */
export function isMessageFactory(value: unknown): value is EmailMessageFactory | SMSMessageFactory {
  return typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function';
}

/**
 * The invite options a factory stands for: its message as templates (`{{login}}` and `{{token}}` where the
 * factory puts the recipient's login and password), the channel its message is for, its link and solution name.
 */
export function invitationFromFactory(
  factory: EmailMessageFactory | SMSMessageFactory,
  tokenValiditySeconds?: number,
): InvitePatientOptions {
  const produced = factory.get({ login: P.LOGIN }, P.TOKEN);
  const sms = typeof (produced as Partial<SMSMessage>).message === 'string';
  const message: MessageTemplate = sms ? { text: (produced as SMSMessage).message } : pick(produced as EmailMessage);
  if (![message.subject, message.text, message.html].some((part) => part?.includes(P.TOKEN))) {
    throw new TypeError("The message factory's message does not show the recipient's password (the {{token}} placeholder)");
  }
  return withoutUndefined({
    channel: sms ? 'sms' : 'email',
    tokenValiditySeconds,
    loginUrl: factory.link || undefined,
    solutionName: factory.solutionName || undefined,
    message,
  });
}

function pick({ subject, text, html }: EmailMessage): MessageTemplate {
  return withoutUndefined({ subject: subject || undefined, text: text || undefined, html: html || undefined });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The options of an invite: as given, or those a message factory stands for. */
export function invitationOptions(
  optionsOrFactory: InvitePatientOptions | EmailMessageFactory | SMSMessageFactory = {},
  tokenValiditySeconds?: number,
): InvitePatientOptions {
  if (isMessageFactory(optionsOrFactory)) return invitationFromFactory(optionsOrFactory, tokenValiditySeconds);
  return tokenValiditySeconds === undefined ? optionsOrFactory : { ...optionsOrFactory, tokenValiditySeconds };
}
