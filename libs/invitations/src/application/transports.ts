import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createTransport, Transporter } from 'nodemailer';
import type { AppConfigService, MessagingSettings } from '@careid/shared';

export interface EmailMessage {
  to: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
}

/** Delivery result: `sent`, or `not-configured` when no relay/gateway is set (development). */
export type DeliveryResult = 'sent' | 'not-configured';

/** Email through a real SMTP relay (SMTP_URL) with nodemailer. */
@Injectable()
export class EmailTransport implements OnApplicationShutdown {
  private readonly settings: MessagingSettings;
  private transporter: Transporter | undefined;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    this.settings = config.get('messaging', { infer: true });
  }

  async send(message: EmailMessage): Promise<DeliveryResult> {
    if (!this.settings.smtpUrl) return 'not-configured';
    // Bounded waits: the outbox worker holds its claim on the message while it sends.
    const url = new URL(this.settings.smtpUrl);
    for (const [name, value] of Object.entries({ connectionTimeout: '5000', greetingTimeout: '5000', socketTimeout: '10000' })) {
      if (!url.searchParams.has(name)) url.searchParams.set(name, value);
    }
    this.transporter ??= createTransport(url.toString());
    await this.transporter.sendMail({
      from: this.settings.mailFrom,
      to: message.to,
      replyTo: message.replyTo ?? undefined,
      subject: message.subject,
      text: message.text,
      html: message.html ?? undefined,
    });
    return 'sent';
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
