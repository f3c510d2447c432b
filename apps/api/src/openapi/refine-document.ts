import type { OpenAPIObject } from '@nestjs/swagger';
import { OPERATION_IDS } from './operation-ids';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: the work goes on in the background',
  '204': 'Done; no content',
  '304': 'Not modified: the record still has the rev the If-None-Match named',
};

const TAGS: Record<string, string> = {
  health: 'Liveness and readiness',
  auth: 'Logins, sessions, activation and password reset',
  users: 'Users, their login tokens, 2FA and linked identities',
  'identity-providers': 'External OpenID providers users sign in with (admin)',
  audit: 'The append-only audit trail (admin)',
  practitioners: 'Healthcare parties',
  patients: 'Patients, their delegations and data sharing',
  'medical-records': 'Data samples and healthcare elements',
  invitations: 'Invitations of patients and practitioners, and their lifecycle',
  notifications: 'Notifications and their live stream',
  applications: 'OAuth clients of the OpenID provider (admin)',
};

/** The headers answers carry, documented once and referenced from each response. */
const HEADERS: Json = {
  'X-Request-Id': {
    description: 'The request id (the caller’s own when it sent a valid one); in every log line about the request',
    schema: { type: 'string' },
  },
  Location: { description: 'Where the created record lives', schema: { type: 'string' } },
  ETag: {
    description: 'The record’s rev as an entity tag; send it back in If-None-Match (304) or If-Match (in place of the body’s rev)',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
  RateLimit: { description: 'IETF RateLimit: the quota left (`r`) and seconds until it resets (`t`)', schema: { type: 'string' } },
  'RateLimit-Policy': { description: 'IETF RateLimit-Policy: the quota (`q`) per window (`w`, seconds)', schema: { type: 'string' } },
};
const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * The document Nest's Swagger module writes, made what a client generator and
 * Redocly's recommended rules expect: operation ids in the API's words,
 * `security: []` on public operations, servers and described tags, integers
 * as integers, named page schemas, every response described with its headers.
 */
export function refineApiDocument(document: OpenAPIObject): OpenAPIObject {
  const doc = document as Json;
  doc.info.license = { name: 'Proprietary', url: 'https://careid.dev/license' };
  doc.servers = [{ url: '/', description: 'The server that serves this document' }];
  doc.components.headers = HEADERS;
  const usedTags = new Set<string>();
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const key = `${method.toUpperCase()} ${path}`;
      operation.operationId = OPERATION_IDS[key] ?? operation.operationId;
      operation.security ??= [];
      for (const tag of operation.tags ?? []) usedTags.add(tag);
      describeResponses(operation, method, path);
      nameAnonymousPage(doc, operation);
    }
  }
  doc.tags = [...usedTags].sort().map((name) => ({ name, description: TAGS[name] ?? name }));
  integersAsIntegers(doc);
  return document;
}

function describeResponses(operation: Json, method: string, path: string): void {
  const rateLimited = path.startsWith('/api/v1/auth/');
  for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
    if (!response.description) response.description = STATUS_TEXT[status] ?? 'See the problem document';
    const headers: Json = (response.headers ??= {});
    headers['X-Request-Id'] = ref('X-Request-Id');
    if (status === '201') headers.Location = ref('Location');
    if (status === '200' && method === 'get' && /\{[a-z]+\}$/i.test(path)) headers.ETag = ref('ETag');
    if (status === '429' || status === '503') headers['Retry-After'] = ref('Retry-After');
    if (rateLimited && /^[24]/.test(status))
      Object.assign(headers, { RateLimit: ref('RateLimit'), 'RateLimit-Policy': ref('RateLimit-Policy') });
  }
}

/** ApiPage's inline `{rows, nextCursor}` becomes `<Model>Page` in components, so that clients get one named type. */
function nameAnonymousPage(doc: Json, operation: Json): void {
  const content = operation.responses?.['200']?.content?.['application/json'];
  const schema = content?.schema;
  const rowsRef: string | undefined = schema?.properties?.rows?.items?.$ref;
  if (!schema || schema.$ref || !rowsRef || !schema.properties.nextCursor) return;
  const model = rowsRef.split('/').pop()!.replace(/Dto$/, '');
  const name = `${model}Page`;
  doc.components.schemas[name] ??= schema;
  content.schema = { $ref: `#/components/schemas/${name}` };
}

/** Every number Careid sends or takes is whole (epoch ms, counts, seconds, YYYYMMDD): typed so, generators make them ints. */
function integersAsIntegers(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(integersAsIntegers);
  if (!node || typeof node !== 'object') return;
  const object = node as Json;
  if (object.type === 'number' && !object.format) object.type = 'integer';
  for (const value of Object.values(object)) integersAsIntegers(value);
}
