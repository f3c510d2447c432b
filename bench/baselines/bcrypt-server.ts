/**
 * Baseline for password logins and user creation: a bare node:http server
 * that parses a small JSON body and runs native bcrypt at the configured
 * cost (libuv's thread pool of the same size as the app's), nothing else.
 * `POST /compare {password}` checks it against a hash made at start-up;
 * `POST /hash {password}` hashes it.
 */
import { createServer } from 'node:http';
import * as bcrypt from 'bcrypt';

const cost = Number(process.env.BCRYPT_COST ?? 12);
const port = Number(process.env.PORT);
const password = process.env.BENCH_PASSWORD ?? 'bench-password-0123';

async function main(): Promise<void> {
  const hash = await bcrypt.hash(password, cost);
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/ready') return send(200, { status: 'ok' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let given: string;
      try {
        given = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).password);
      } catch {
        return send(400, { status: 400 });
      }
      if (req.method === 'POST' && req.url === '/compare') {
        void bcrypt.compare(given, hash).then((ok) => (ok ? send(200, { ok }) : send(401, { ok })));
      } else if (req.method === 'POST' && req.url === '/hash') {
        void bcrypt.hash(given, cost).then((hashed) => send(201, { length: hashed.length }));
      } else {
        send(404, { status: 404 });
      }
    });
  });
  server.keepAliveTimeout = 72_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

void main();
