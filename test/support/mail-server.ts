import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  from: string;
  replyTo: string | undefined;
  subject: string;
  text: string;
  html: string;
  raw: ParsedMail;
}

/**
 * A real SMTP server process-local to the test (smtp-server on a random
 * loopback port). It can be stopped and started again on the same port to
 * simulate a relay outage.
 */
export class TestMailServer {
  readonly mails: ReceivedMail[] = [];
  /** Recipients of every mail taken, in order (also in `countOnly` mode). */
  readonly recipients: string[] = [];
  private server: SMTPServer | undefined;
  private holding = false;
  /** Sessions stalled at MAIL FROM by `hold()`, by session id, with the answer they wait for. */
  private readonly held = new Map<string, (error?: Error | null) => void>();
  port = 0;

  /** `countOnly`: keep only each mail's recipient (thousands of mails, without parsing each). */
  constructor(private readonly options: { countOnly?: boolean } = {}) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom: (_address, session, callback) => {
        if (!this.holding) return callback();
        this.held.set(session.id, callback);
      },
      onClose: (session) => {
        this.held.delete(session.id);
      },
      onData: (stream, session, callback) => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        if (this.options.countOnly) {
          stream.on('data', () => undefined);
          stream.on('end', () => {
            this.recipients.push(...to);
            callback();
          });
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            this.mails.push({
              to: (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value[0]?.address ?? '',
              from: mail.from?.value[0]?.address ?? '',
              replyTo: mail.replyTo?.value[0]?.address,
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              raw: mail,
            });
            this.recipients.push(...to);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  /**
   * A relay that hangs in the middle of a send: from now on each session is greeted, then left
   * without an answer to MAIL FROM (so no mail is taken) until `release()`.
   */
  hold(): void {
    this.holding = true;
  }

  /** Stops holding; a session still stalled is answered 451 (try again later), so nothing is taken from it. */
  release(): void {
    this.holding = false;
    for (const answer of this.held.values()) answer(Object.assign(new Error('try again later'), { responseCode: 451 }));
    this.held.clear();
  }

  /** Waits until `count` sessions are stalled by `hold()`. */
  async waitForHeld(count = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.held.size < count) {
      if (Date.now() > deadline) throw new Error(`${this.held.size} of ${count} sessions stalled within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get heldSessions(): number {
    return this.held.size;
  }

  async stop(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Waits until a mail to `address` arrives (or `count` of them). */
  async waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mails.filter((mail) => mail.to.toLowerCase() === address.toLowerCase());
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(`no mail to ${address} within ${timeoutMs} ms (got ${this.mails.map((m) => m.to).join(', ') || 'none'})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to.toLowerCase() === address.toLowerCase());
  }
}

/** A loopback HTTP server standing in for the SMS gateway: records every `POST {to, body}`. */
export async function startSmsGateway(): Promise<{
  url: string;
  messages: { to: string; body: string }[];
  failNext: (n: number) => void;
  close(): Promise<void>;
}> {
  const { createServer } = await import('node:http');
  const messages: { to: string; body: string }[] = [];
  let failures = 0;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        response.writeHead(503).end();
        return;
      }
      messages.push(JSON.parse(body));
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    failNext: (n) => (failures = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The value of a `Label: value` line of a message's text. */
export function lineValue(text: string, label: string): string {
  const match = new RegExp(`^${label}:\\s*(\\S+)\\s*$`, 'm').exec(text);
  if (!match) throw new Error(`no "${label}:" line in:\n${text}`);
  return match[1];
}

export function linkIn(text: string, path: string): string {
  const match = new RegExp(`(https?://\\S*${path.replace(/[/.]/g, '\\$&')}\\S*)`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[1];
}
