/** Reads the Server-Sent Events of GET /api/v1/notifications/stream from a real HTTP stream. */
export async function openNotificationStream(baseUrl: string, token: string) {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/notifications/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const events: any[] = [];
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
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)));
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
