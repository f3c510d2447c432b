import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';

/**
 * A request refused before its body or headers were read (413, 431) used to
 * close its connection at once: with the client's data still unread, the
 * kernel answers it with a reset, and a client still uploading sees a
 * network error instead of the answer. The refused bytes are read and
 * discarded instead, up to these bounds, and only then is the connection
 * closed (Apache's "lingering close").
 */
export const LINGER_MAX_BYTES = 8 * 1024 * 1024;
export const LINGER_MAX_MS = 2_000;

/**
 * For an answer sent before the request body was read (413): the rest of
 * the body is read and discarded, so that the client reads the answer,
 * then the connection goes on as usual; past the bounds it is closed.
 * Called from the onSend hook, before Node sees the answer's headers.
 */
export function drainRefusedBody(request: IncomingMessage, reply: FastifyReply): void {
  // Fastify asks to close the connection; Node would then destroy it as soon as the answer is written.
  void reply.removeHeader('connection');
  const socket = request.socket;
  let drained = 0;
  const stop = () => clearTimeout(timer);
  const timer = setTimeout(() => {
    if (!request.complete) socket.destroy();
  }, LINGER_MAX_MS);
  timer.unref();
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_MAX_BYTES) {
      stop();
      socket.destroy();
    }
  });
  request.once('end', stop);
  socket.once('close', stop);
}

const CLIENT_ERRORS: Record<string, { status: number; title: string; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    title: 'Request Header Fields Too Large',
    code: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
    detail: 'The request line and headers are over the size this server reads',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request Timeout',
    code: 'REQUEST_TIMEOUT',
    detail: 'The request took too long to arrive',
  },
};
const BAD_REQUEST = { status: 400, title: 'Bad Request', code: 'BAD_REQUEST', detail: 'The request is not valid HTTP' };

/** Sockets answered by answerClientError and being drained: the parser reports every further chunk as an error too. */
const lingering = new WeakMap<Socket, number>();

/**
 * Fastify's clientErrorHandler: a request Node's HTTP parser refuses (headers
 * too large, malformed, too slow) gets a problem+json answer, then the
 * connection is half-closed and what the client still sends is read and
 * discarded up to the bounds before it is closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const since = lingering.get(socket);
  if (since !== undefined) {
    if (socket.bytesRead - since > LINGER_MAX_BYTES) socket.destroy();
    return;
  }
  const { status, title, code, detail } = CLIENT_ERRORS[error.code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify({
    type: `https://careid.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title,
    status,
    detail,
    code,
    requestId: randomUUID(),
  });
  // No in-flight answer may have started on this socket: writing ours then would corrupt it.
  const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (!socket.writable || busy) {
    socket.destroy();
    return;
  }
  lingering.set(socket, socket.bytesRead);
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
  const timer = setTimeout(() => socket.destroy(), LINGER_MAX_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // The client closed its side: it has read the answer.
  socket.once('end', () => socket.destroy());
}
