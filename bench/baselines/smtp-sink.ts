/**
 * The local SMTP server the bulk-invite scenario delivers to, app and
 * baseline alike (smtp-server on SMTP_PORT): it takes every mail, keeps its
 * recipient, size and arrival time, and parses nothing. Its HTTP side (PORT)
 * answers `GET /stats?to=<prefix>` with the mails to recipients starting
 * with that prefix (`{count, medianBytes, firstAt, lastAt}`), and
 * `POST /hold` / `POST /release`: while held, each session waits at MAIL FROM
 * (the app then queues its messages), and on release each goes on.
 */
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';

const httpPort = Number(process.env.PORT);
const smtpPort = Number(process.env.SMTP_PORT);
const received: { to: string; bytes: number; at: number }[] = [];
const held: ((error?: Error | null) => void)[] = [];
let holding = false;

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  maxClients: 100,
  onMailFrom: (_address, _session, callback) => (holding ? held.push(callback) : callback()),
  onData: (stream, session, callback) => {
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      const at = Date.now();
      for (const rcpt of session.envelope.rcptTo) received.push({ to: rcpt.address.toLowerCase(), bytes, at });
      callback();
    });
  },
});

function stats(prefix: string) {
  const mails = received.filter((mail) => mail.to.startsWith(prefix));
  const sizes = mails.map((mail) => mail.bytes).sort((a, b) => a - b);
  return {
    count: mails.length,
    medianBytes: sizes.length ? sizes[sizes.length >> 1] : 0,
    firstAt: mails.length ? Math.min(...mails.map((mail) => mail.at)) : null,
    lastAt: mails.length ? Math.max(...mails.map((mail) => mail.at)) : null,
  };
}

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://sink');
  const send = (body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/ready') return send({ status: 'ok' });
  if (url.pathname === '/stats') return send(stats((url.searchParams.get('to') ?? '').toLowerCase()));
  if (req.method === 'POST' && url.pathname === '/hold') {
    holding = true;
    return send({ holding });
  }
  if (req.method === 'POST' && url.pathname === '/release') {
    holding = false;
    for (const go of held.splice(0)) go();
    return send({ holding });
  }
  res.writeHead(404).end();
});

smtp.listen(smtpPort, '127.0.0.1', () => http.listen(httpPort, '127.0.0.1'));
process.on('SIGTERM', () => {
  http.close();
  smtp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
