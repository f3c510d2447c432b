import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createTransport, Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { AppConfigService, MessagingSettings } from '@careid/shared';
import { hasLineBreakOrControl, isMailboxAddress } from '../domain/message-text';

export interface EmailMessage {
  to: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
}

/** A message's headers and parts, its addresses checked. */
interface CheckedMail {
  from: Mail.Address;
  to: Mail.Address;
  replyTo?: Mail.Address;
  subject: string;
  text?: string;
  html?: string;
}

/** A message no attempt can deliver (a header that is not a single plain address, or holds a line break): failed at once. */
export class UndeliverableMessage extends Error {}

/** A header address as nodemailer's `{name, address}` object, never a string it would parse; refused unless one plain address. */
function mailbox(header: string, address: string, name = ''): Mail.Address {
  if (!isMailboxAddress(address)) throw new UndeliverableMessage(`${header} is not a single valid address`);
  if (hasLineBreakOrControl(name)) throw new UndeliverableMessage(`${header} has a line break or control character in its name`);
  return { name, address };
}

/** MAIL_FROM (`Name <address>` or `address`), read once. */
function sender(mailFrom: string): Mail.Address {
  const parsed = addressparser(mailFrom, { flatten: true });
  if (parsed.length !== 1) throw new UndeliverableMessage('MAIL_FROM must name one address');
  return mailbox('MAIL_FROM', parsed[0].address, parsed[0].name);
}

/** SMTP connections the pooled transport keeps open: the outbox sends over them at once. */
export const OUTBOX_CONNECTIONS = 5;

/** Delivery result: `sent`, or `not-configured` when no relay/gateway is set (development). */
export type DeliveryResult = 'sent' | 'not-configured';

/** SMTP_URL with bounded waits, unless it sets its own: the outbox worker holds its claim on a message while it sends it. */
function pooledUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, value] of Object.entries({ connectionTimeout: '5000', greetingTimeout: '5000', socketTimeout: '10000' })) {
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  }
  return url.toString();
}

/** Email through a real SMTP relay (SMTP_URL) with nodemailer, over a pool of connections reused from message to message. */
@Injectable()
export class EmailTransport implements OnApplicationShutdown {
  private readonly settings: MessagingSettings;
  private transporter: Transporter | undefined;
  private from: Mail.Address | undefined;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    this.settings = config.get('messaging', { infer: true });
  }

  /**
   * Sends the message; `mime` (from `compose`) is sent as it is, only its envelope is built here. Throws
   * UndeliverableMessage when no attempt can deliver it.
   */
  async send(message: EmailMessage, mime?: string | null): Promise<DeliveryResult> {
    if (!this.settings.smtpUrl) return 'not-configured';
    const mail = this.mail(message);
    this.transporter ??= createTransport({ url: pooledUrl(this.settings.smtpUrl), pool: true, maxConnections: OUTBOX_CONNECTIONS });
    if (mime) await this.transporter.sendMail({ envelope: { from: mail.from.address, to: mail.to.address }, raw: mime });
    else await this.transporter.sendMail(mail);
    return 'sent';
  }

  /**
   * The message as it will go out (RFC 5322 text), composed when it is queued so that delivery only transmits it;
   * null when there is no relay to send it to or no attempt could deliver it (`send` then says why).
   */
  async compose(message: EmailMessage): Promise<string | null> {
    if (!this.settings.smtpUrl) return null;
    let mail: CheckedMail;
    try {
      mail = this.mail(message);
    } catch (error) {
      if (error instanceof UndeliverableMessage) return null;
      throw error;
    }
    return (await new MailComposer(mail).compile().build()).toString('utf8');
  }

  /** The headers and parts of a message, each header checked: a message that breaks one is undeliverable. */
  private mail(message: EmailMessage): CheckedMail {
    if (hasLineBreakOrControl(message.subject)) throw new UndeliverableMessage('The subject has a line break or control character');
    // MAIL_FROM is read once, when it holds one address (a message fails at once otherwise).
    this.from ??= sender(this.settings.mailFrom);
    return {
      from: this.from,
      to: mailbox('To', message.to),
      replyTo: message.replyTo ? mailbox('Reply-To', message.replyTo) : undefined,
      subject: message.subject,
      // A custom HTML-only message has no text part.
      text: message.text || undefined,
      html: message.html ?? undefined,
    };
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }
}

/** SMS through an HTTP gateway (SMS_GATEWAY_URL) that takes `POST {"to","body"}` and answers 2xx. */
@Injectable()
export class SmsTransport {
  private readonly settings: MessagingSettings;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    this.settings = config.get('messaging', { infer: true });
  }

  async send(to: string, body: string): Promise<DeliveryResult> {
    if (!this.settings.smsGatewayUrl) return 'not-configured';
    const response = await fetch(this.settings.smsGatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to, body }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    return 'sent';
  }
}
