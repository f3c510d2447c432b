import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, TestApp } from '../support/test-app';

const ROOT = resolve(__dirname, '../..');
const SCHEMA_FILE = join(ROOT, 'libs/sdk/src/generated/schema.ts');

/** `npm run sdk:generate -- --check` against the test server, as its own Node process (openapi-typescript needs ESM). */
async function checkSchema(baseUrl: string, schemaFile = SCHEMA_FILE): Promise<{ code: number; output: string }> {
  const args = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'scripts/sdk-generate.ts', '--check'];
  const env = { ...process.env, CAREID_API_URL: baseUrl, SDK_SCHEMA_FILE: schemaFile, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const SUCCESS = /^2\d\d$/;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('SDK types and the OpenAPI document', () => {
  let t: TestApp;
  let document: any;

  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'warn' } });
    document = (await t.http.get('/api/docs-json')).body;
  });
  afterAll(() => t.close());

  it('the checked-in types are what openapi-typescript makes of the served document (no drift)', async () => {
    const result = await checkSchema(t.baseUrl);
    expect(result.output).toContain('are up to date');
    expect(result.code).toBe(0);
  });

  it('the check fails, naming the line, when the checked-in types differ', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'careid-sdk-schema-'));
    try {
      const tampered = join(folder, 'schema.ts');
      copyFileSync(SCHEMA_FILE, tampered);
      writeFileSync(tampered, readFileSync(tampered, 'utf8').replace('passwordHash?: string;', 'password?: string;'));
      const result = await checkSchema(t.baseUrl, tampered);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/differs from the API's OpenAPI document at line \d+; run `npm run sdk:generate`/);
      expect(result.output).toContain('password?: string;');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('every operation has a summary, a typed success answer and problem+json errors', () => {
    const gaps: string[] = [];
    // The REST contract; /health/* is the orchestrator's, documented by @nestjs/terminus.
    for (const [path, item] of Object.entries<any>(document.paths).filter(([path]) => path.startsWith('/api/v1/'))) {
      for (const [method, operation] of Object.entries<any>(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.summary) gaps.push(`${name}: no summary`);
        const responses = Object.entries<any>(operation.responses ?? {});
        const successes = responses.filter(([status]) => SUCCESS.test(status));
        if (successes.length === 0) gaps.push(`${name}: no success response`);
        for (const [status, response] of successes) {
          if (status === '204') continue;
          const content = response.content ?? {};
          const schema = (content['application/json'] ?? content['text/event-stream'])?.schema;
          if (!schema) gaps.push(`${name}: ${status} has no schema`);
        }
        for (const [status, response] of responses.filter(([status]) => /^[45]\d\d$/.test(status))) {
          if (response.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/ProblemDto')
            gaps.push(`${name}: ${status} is not documented as a problem`);
        }
        if (operation.security?.length && !operation.responses?.['401']) gaps.push(`${name}: needs a token but documents no 401`);
        if (operation.requestBody && !operation.requestBody.content?.['application/json']?.schema?.$ref)
          gaps.push(`${name}: its body is not a named schema`);
        if (operation.requestBody && !operation.responses?.['400']) gaps.push(`${name}: takes a body but documents no 400`);
      }
    }
    expect(gaps).toEqual([]);
  });

  it('every schema property has a type, and every scalar one an example or a description', () => {
    const gaps: string[] = [];
    for (const [schemaName, schema] of Object.entries<any>(document.components.schemas)) {
      for (const [property, spec] of Object.entries<any>(schema.properties ?? {})) {
        const name = `${schemaName}.${property}`;
        const typed = spec.type || spec.$ref || spec.allOf || spec.oneOf || spec.enum;
        if (!typed) gaps.push(`${name}: no type`);
        // `string | null` fields without an explicit type come out as `{type: object}`, an empty object for clients.
        if (spec.type === 'object' && !spec.properties && spec.additionalProperties === undefined && !spec.allOf)
          gaps.push(`${name}: an object of nothing`);
        const scalar = ['string', 'number', 'integer', 'boolean'].includes(spec.type);
        if (scalar && spec.example === undefined && !spec.description) gaps.push(`${name}: no example or description`);
      }
    }
    expect(gaps).toEqual([]);
  });
});
