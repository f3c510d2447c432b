import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AppProcess, spawnApp } from '../support/app-process';
import { loginAsAdmin } from '../support/session';
import { ProbeModule } from '../support/probe.module';
import { startTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const traceparent = () => {
  const trace = { traceId: hex(16), parentId: hex(8) };
  return { ...trace, header: `00-${trace.traceId}-${trace.parentId}-01` };
};

/** The request log line (`request completed`) of a request id. */
const requestLine = (lines: Record<string, any>[], requestId: string) =>
  lines.find((line) => line.msg === 'request completed' && line.req?.id === requestId);

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  service: string;
}

/** A collector on loopback taking OTLP/HTTP JSON (what @opentelemetry/exporter-trace-otlp-http sends). */
class TestCollector {
  readonly spans: ExportedSpan[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces') {
          for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
            const service = resourceSpans.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
            for (const scopeSpans of resourceSpans.scopeSpans)
              for (const span of scopeSpans.spans) this.spans.push({ ...span, scope: scopeSpans.scope.name, service });
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((done) => this.server?.close(done));
  }
}

describe('Tracing without an OTLP endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ extraModules: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('writes the trace id of an incoming traceparent in the request’s log lines, and none without one', async () => {
    const admin = await loginAsAdmin(t.http);
    const { traceId, header } = traceparent();
    const traced = await admin.get('/api/v1/users/current', { headers: { traceparent: header } });
    const untraced = await admin.get('/api/v1/users/current');
    const malformed = await admin.get('/api/v1/users/current', { headers: { traceparent: `00-${'0'.repeat(32)}-${hex(8)}-01` } });
    await new Promise((r) => setTimeout(r, 100));
    expect(requestLine(t.logs, traced.headers.get('x-request-id')!)).toMatchObject({ traceId, res: { statusCode: 200 } });
    expect(requestLine(t.logs, untraced.headers.get('x-request-id')!)).not.toHaveProperty('traceId');
    expect(requestLine(t.logs, malformed.headers.get('x-request-id')!)).not.toHaveProperty('traceId');
  });

  it('puts the trace id on a line logged while the request is handled, not only on the request line', async () => {
    const { traceId, header } = traceparent();
    // An unexpected error: the error filter logs it while handling the request.
    const response = await t.http.get('/test-probe/boom', { headers: { traceparent: header } });
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id')!;
    await new Promise((r) => setTimeout(r, 100));
    const reported = t.logs.find((line) => line.msg === 'Unexpected error while handling a request' && line.requestId === requestId);
    expect(reported).toMatchObject({ reqId: requestId, traceId });
  });
});

describe('Tracing with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  const collector = new TestCollector();
  let database: { name: string; url: string };
  let app: AppProcess;

  beforeAll(async () => {
    await collector.start();
    database = await createTestDatabase();
    app = await spawnApp({
      env: { DATABASE_URL: database.url, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'careid-under-test' },
    });
    await app.ready();
  }, 90_000);
  afterAll(async () => {
    await app?.stop();
    await collector.stop();
    await dropTestDatabase(database.name);
  });

  it('continues an incoming trace: the server span is the caller’s child, Fastify and pg spans its descendants; the log has its id', async () => {
    const { traceId, parentId, header } = traceparent();
    const response = await app.http.post(
      '/api/v1/auth/login',
      { login: 'admin', password: 'admin-password-for-tests' },
      { headers: { traceparent: header } },
    );
    expect(response.status).toBe(200);
    const untraced = await app.http.get('/health/ready');
    expect(untraced.status).toBe(200);
    // Stopping flushes the batch of spans (serve.ts shuts the SDK down).
    await app.stop();

    const spans = collector.spans.filter((span) => span.traceId === traceId);
    const server = spans.find((span) => span.scope === '@opentelemetry/instrumentation-http' && span.kind === 2);
    expect(server).toMatchObject({ parentSpanId: parentId, service: 'careid-under-test' });
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const descendsFromServer = (span: ExportedSpan): boolean => {
      for (let at: ExportedSpan | undefined = span; at; at = byId.get(at.parentSpanId ?? '')) if (at === server) return true;
      return false;
    };
    const fastify = spans.filter((span) => span.scope === '@fastify/otel');
    const pg = spans.filter((span) => span.scope === '@opentelemetry/instrumentation-pg');
    expect(fastify.map((span) => span.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^request/)]));
    expect(pg.length).toBeGreaterThan(0);
    expect([...fastify, ...pg].filter((span) => !descendsFromServer(span))).toEqual([]);
    // Probes are not traced.
    expect(collector.spans.filter((span) => span.name.includes('/health'))).toEqual([]);

    const lines = app
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(requestLine(lines, response.headers.get('x-request-id')!)).toMatchObject({ traceId });
  }, 60_000);
});
