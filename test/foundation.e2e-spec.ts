import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ProbeModule } from './support/probe.module';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM_KEYS = ['type', 'title', 'status', 'detail', 'code', 'requestId'];

describe('Foundation: the app on Fastify and PostgreSQL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ extraModules: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('is live and ready once the database answers', async () => {
    expect((await t.http.get('/health/live')).status).toBe(200);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.database.status).toBe('up');
  });

  it('serves a valid OpenAPI 3 document and the Swagger UI', async () => {
    const docs = await t.http.get('/api/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(docs.body))).resolves.toBeDefined();
    const ui = await t.http.get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const response = await t.http.get('/api/v1/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(Object.keys(response.body)).toEqual(expect.arrayContaining(PROBLEM_KEYS));
    expect(response.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('answers a URL that is not valid UTF-8 with a problem+json 400, as any other bad request', async () => {
    const response = await t.http.get('/api/v1/users/by-email/%ED%A0%80%40x.test');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('rejects invalid bodies with VALIDATION_FAILED and one entry per field', async () => {
    const response = await t.http.post('/test-probe/echo', { name: 42, count: -1, extra: true });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'count', 'extra']));
    for (const error of response.body.errors) expect(typeof error.message).toBe('string');
  });

  it('accepts a valid body', async () => {
    const response = await t.http.post('/test-probe/echo', { name: 'ok', count: 2 });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ name: 'ok', count: 2 });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await t.http.post('/test-probe/echo', undefined, { raw: '{"name": "x",' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('MALFORMED_JSON');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('refuses a body over the configured limit with 413', async () => {
    const response = await t.http.post('/test-probe/echo', undefined, { raw: JSON.stringify({ name: 'x'.repeat(1_100_000), count: 1 }) });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unexpected error with a bare 500 and logs the stack with the request id', async () => {
    const response = await t.http.get('/test-probe/boom', { headers: { 'x-request-id': 'req-boom-0001' } });
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: 'req-boom-0001' });
    expect(response.text).not.toMatch(/password_hash|select|stack|\.ts:/i);
    const logged = t.logs.find((line) => line.requestId === 'req-boom-0001' && line.err);
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('probe.module');
  });

  it('logs one JSON line per request: its id, method, path without the query, status and time, and no header', async () => {
    await t.http.get('/api/v1/no-such-thing?email=someone@example.com', {
      headers: { 'x-request-id': 'req-line-0001', authorization: 'Bearer not-a-real-token' },
    });
    const linesOf = () => t.logs.filter((line) => (line.req as { id?: string } | undefined)?.id === 'req-line-0001');
    // The line is written once the answer has gone out: give it a moment.
    for (let i = 0; i < 50 && !linesOf().length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(linesOf()).toHaveLength(1);
    const [line] = linesOf();
    expect(line).toMatchObject({
      msg: 'request completed',
      reqId: 'req-line-0001',
      req: { method: 'GET', url: '/api/v1/no-such-thing' },
      res: { statusCode: 404 },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(t.logText()).not.toContain('someone@example.com');
    expect(t.logText()).not.toContain('not-a-real-token');
  });

  it('sends security headers and no x-powered-by', async () => {
    const response = await t.http.get('/health/live');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('Foundation: configuration is checked at start-up', () => {
  it('stops with a message naming each malformed variable', () => {
    const root = resolve(__dirname, '..');
    const result = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/api/src/main.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH, NODE_ENV: 'development', PORT: 'eighty', BCRYPT_COST: '3', DATABASE_URL: 'mysql://nope' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT must be an integer');
    expect(result.stderr).toContain('BCRYPT_COST must be between 10 and 15');
    expect(result.stderr).toContain('DATABASE_URL must start with postgres://');
  });
});
