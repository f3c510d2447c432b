/** How a stream is opened: a bearer token, or (as a browser's EventSource) a ticket in the URL and no Authorization header. */
export type StreamAuth = string | { ticket: string };

/**
 * Reads the Server-Sent Events of GET /api/v1/notifications/stream from a real HTTP stream. `lastEventId` is sent as
 * the Last-Event-ID header, as an EventSource does when it reconnects.
 */
export async function openNotificationStream(
  baseUrl: string,
  auth: StreamAuth,
  options: { lastEventId?: string; lastEventIdInQuery?: boolean } = {},
) {
  const controller = new AbortController();
  const headers: Record<string, string> = typeof auth === 'string' ? { authorization: `Bearer ${auth}` } : {};
  const query = new URLSearchParams(typeof auth === 'string' ? {} : { ticket: auth.ticket });
  if (options.lastEventId !== undefined && options.lastEventIdInQuery) query.set('lastEventId', options.lastEventId);
  else if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const search = query.size ? `?${query}` : '';
  const response = await fetch(`${baseUrl}/api/v1/notifications/stream${search}`, { headers, signal: controller.signal });
  const events: any[] = [];
  /** The `id:` of each event, beside `events`. */
  const ids: (string | undefined)[] = [];
  /** Every block as received, comments and fields. */
  const blocks: string[] = [];
  /** Set when the server ends the answer (not when the test hangs up). */
  let endedAt: number | undefined;
  const reader = response.body!.getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          endedAt = Date.now();
          return;
        }
        buffer += Buffer.from(value).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          blocks.push(block);
          const lines = block.split('\n');
          const data = lines.find((line) => line.startsWith('data: '));
          if (data) {
            events.push(JSON.parse(data.slice(6)));
            ids.push(lines.find((line) => line.startsWith('id: '))?.slice(4));
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    ids,
    blocks,
    get ended(): boolean {
      return endedAt !== undefined;
    },
    async waitFor(predicate: (event: any) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = events.find(predicate);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no matching event within ${timeoutMs} ms (got ${events.length})`);
    },
    /** Waits for the server to end the stream; returns how long that took from `since`. */
    async waitForEnd(since: number, timeoutMs = 5_000): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      while (endedAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      if (endedAt === undefined) throw new Error(`the stream was still open after ${timeoutMs} ms`);
      return endedAt - since;
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
