import { Injectable } from '@nestjs/common';
import type { PasswordResetMailer } from '@careid/identity';
import { Outbox } from './outbox';
import { DEFAULT_SOLUTION_NAME, renderMessage } from './templates';

/** Identity's reset links, as mails through the outbox (bound to PASSWORD_RESET_MAILER in the composition root). */
@Injectable()
export class PasswordResetMails implements PasswordResetMailer {
  constructor(private readonly outbox: Outbox) {}

  async mailResetLink(recipient: { email: string; name: string }, link: string, expiresAt: number): Promise<void> {
    const rendered = renderMessage('password-reset', 'email', {
      solutionName: DEFAULT_SOLUTION_NAME,
      name: recipient.name,
      link,
      expiresAt: new Date(expiresAt).toISOString(),
    });
    await this.outbox.enqueue({
      channel: 'email',
      kind: 'password-reset',
      recipient: recipient.email,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
  }
}
