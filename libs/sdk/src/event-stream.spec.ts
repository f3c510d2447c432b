import { CareidApi } from './careid-api';
import { ServerSentEventParser } from './event-stream';
import type { Fetch } from './http';
import type { NotificationDto } from './models';
import { json } from '../testing/fake-fetch';

const encoder = new TextEncoder();

/** A streaming answer the test writes to chunk by chunk, and ends (the server closing) or breaks (a dropped connection). */
function sseResponse() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    drop: () => controller.error(new TypeError('terminated')),
  };
}

type Stream = ReturnType<typeof sseResponse>;

/** A fake server: logs in, then answers each stream request with the next scripted answer, recording the headers it got. */
function fakeServer(answers: (() => Response | Stream)[]) {
  const streamRequests: Record<string, string>[] = [];
  const streams: Stream[] = [];
  let logins = 0;
  const fetch: Fetch = async (url, init) => {
    if (url.endsWith('/api/v1/auth/login')) {
      logins += 1;
      return json(200, { accessToken: `token-${logins}`, refreshToken: `refresh-${logins}`, expiresIn: 900 });
    }
    if (url.endsWith('/api/v1/auth/refresh')) return json(200, { accessToken: 'refreshed', refreshToken: 'r2', expiresIn: 900 });
    streamRequests.push(init.headers as Record<string, string>);
    const next = answers.shift();
    if (!next) return new Promise<Response>(() => undefined);
    const answer = next();
    if (answer instanceof Response) return answer;
    streams.push(answer);
    return answer.response;
  };
  return { fetch, streamRequests, streams };
}

const notification = (id: string, responsible = 'p1', type = 'NEW_USER_OWN_DATA_ACCESS') =>
  ({
    id,
    rev: `1-${'0'.repeat(32)}`,
    created: 1,
    modified: 1,
    type,
    status: 'pending',
    responsible,
    author: null,
    recipient: 'h1',
    properties: {},
  }) as NotificationDto;

const event = (seq: number, n: NotificationDto) => `id: ${seq}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`;

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ServerSentEventParser', () => {
  it('parses events split anywhere across chunks, with CRLF, LF or CR line ends, multi-line data and comments', () => {
    const parser = new ServerSentEventParser();
    const text = 'retry: 2500\r\n: hello\r\n\r\nid: 7\revent: notification\rdata: {"a":\ndata: 1}\n\nid: 8\ndata: x\r\n\r\n';
    const events = [...text].flatMap((char) => parser.push(char));
    expect(events).toEqual([
      { id: '7', event: 'notification', data: '{"a":\n1}' },
      { id: '8', event: 'message', data: 'x' },
    ]);
    expect(parser.retryMs).toBe(2500);
    expect(parser.lastEventId).toBe('8');
  });

  it('ignores an id with NUL and a retry that is not digits, and dispatches nothing without data', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('id: 1\n\nid: 2\0\nretry: 1s\ndata: y\n\n')).toEqual([{ id: '1', event: 'message', data: 'y' }]);
    expect(parser.retryMs).toBeUndefined();
  });
});

describe('NotificationApi.subscribeToNotificationEvents', () => {
  const api = (fetch: Fetch) => new CareidApi({ baseUrl: 'https://id.example', fetch, login: 'doc', password: 'secret' });

  it('streams with the bearer header, passes filtered notifications in order, and stops on close()', async () => {
    const server = fakeServer([sseResponse]);
    const received: string[] = [];
    const connection = await api(server.fetch).notificationApi.subscribeToNotificationEvents(
      ['CREATE'],
      { responsible: 'p1' },
      async (n) => {
        received.push(n.id);
      },
    );
    expect(server.streamRequests[0]).toMatchObject({ authorization: 'Bearer token-1' });
    expect(server.streamRequests[0]['last-event-id']).toBeUndefined();
    const [stream] = server.streams;
    stream.write('retry: 10\n: connected\n\n' + event(1, notification('a')) + event(2, notification('b', 'p2')).slice(0, 20));
    stream.write(event(2, notification('b', 'p2')).slice(20) + event(3, notification('c')));
    await until(() => received.length === 2);
    expect(received).toEqual(['a', 'c']);
    expect(connection.lastEventId).toBe('3');

    let closed = 0;
    connection.onClosed(() => (closed += 1));
    connection.close();
    stream.write(event(4, notification('d')));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect([received, closed, server.streamRequests.length]).toEqual([['a', 'c'], 1, 1]);
  });

  it('reconnects after a dropped connection and after the server ends the stream, resuming with Last-Event-ID', async () => {
    const server = fakeServer([
      sseResponse,
      () => json(503, { status: 503, code: 'DATABASE_UNAVAILABLE', detail: 'x' }),
      sseResponse,
      sseResponse,
    ]);
    const received: string[] = [];
    let connected = 0;
    const connection = await api(server.fetch).notificationApi.subscribeToNotificationEvents((n) => void received.push(n.id), {
      connectionRetryIntervalMs: 5,
    });
    connection.onConnected(() => (connected += 1));
    server.streams[0].write(event(41, notification('a')));
    await until(() => received.length === 1);
    server.streams[0].drop();
    // The 503 is retried; the next stream resumes after 41.
    await until(() => server.streams.length === 2);
    expect(server.streamRequests[1]['last-event-id']).toBe('41');
    expect(server.streamRequests[2]['last-event-id']).toBe('41');
    server.streams[1].write(event(42, notification('b')) + event(43, notification('c')));
    await until(() => received.length === 3);
    server.streams[1].end(); // e.g. the access token expired
    await until(() => server.streams.length === 3);
    expect(server.streamRequests[3]['last-event-id']).toBe('43');
    expect(received).toEqual(['a', 'b', 'c']);
    expect(connected).toBe(2);
    connection.close();
  });

  it('renews an expired access token when the server says so, then opens the stream', async () => {
    const server = fakeServer([() => json(401, { status: 401, code: 'ACCESS_TOKEN_EXPIRED', detail: 'expired' }), sseResponse]);
    const connection = await api(server.fetch).notificationApi.subscribeToNotificationEvents(() => undefined);
    expect(server.streamRequests.map((h) => h.authorization)).toEqual(['Bearer token-1', 'Bearer refreshed']);
    connection.close();
  });

  it('gives up when the server refuses the session, and after connectionMaxRetry failures in a row', async () => {
    const refused = fakeServer([() => json(401, { status: 401, code: 'SESSION_REVOKED', detail: 'ended' })]);
    await expect(api(refused.fetch).notificationApi.subscribeToNotificationEvents(() => undefined)).rejects.toMatchObject({
      code: 'SESSION_REVOKED',
    });
    expect(refused.streamRequests).toHaveLength(1);

    const down = () => json(503, { status: 503, code: 'DATABASE_UNAVAILABLE', detail: 'x' });
    const failing = fakeServer([down, down, down, down]);
    await expect(
      api(failing.fetch).notificationApi.subscribeToNotificationEvents(() => undefined, {
        connectionMaxRetry: 2,
        connectionRetryIntervalMs: 1,
      }),
    ).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(failing.streamRequests).toHaveLength(3);
  });

  it('refuses event types other than CREATE', async () => {
    const server = fakeServer([]);
    await expect(
      api(server.fetch).notificationApi.subscribeToNotificationEvents(['UPDATE' as 'CREATE'], undefined, () => undefined),
    ).rejects.toThrow(TypeError);
    expect(server.streamRequests).toEqual([]);
  });
});
