import { OPERATION_IDS } from '../../apps/api/src/openapi/operation-ids';
import { startTestApp, TestApp } from '../support/test-app';

/** The OpenAPI document as client generators and Redocly's recommended rules want it (the lint itself runs in `npm run lint`). */
describe('OpenAPI document', () => {
  let t: TestApp;
  let document: any;
  const operations = () =>
    Object.entries<any>(document.paths).flatMap(([path, item]) =>
      Object.entries<any>(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
    );

  beforeAll(async () => {
    t = await startTestApp();
    document = (await t.http.get('/api/docs-json')).body;
  });
  afterAll(() => t.close());

  it("names every operation in the API's words, once", () => {
    const ids = operations().map(({ key, operation }) => [key, operation.operationId]);
    expect(ids.filter(([key, id]) => OPERATION_IDS[key] !== id)).toEqual([]);
    expect(new Set(ids.map(([, id]) => id)).size).toBe(ids.length);
  });

  it('says which operations need no credentials, and describes every response with its headers', () => {
    for (const { key, operation } of operations()) {
      expect([key, Array.isArray(operation.security)]).toEqual([key, true]);
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        expect([key, status, typeof response.description === 'string' && response.description.length > 0]).toEqual([key, status, true]);
        expect(response.headers['X-Request-Id']).toEqual({ $ref: '#/components/headers/X-Request-Id' });
        if (status === '201') expect(response.headers.Location).toBeDefined();
      }
    }
    const login = document.paths['/api/v1/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.responses['429'].headers['Retry-After']).toBeDefined();
    expect(login.responses['200'].headers.RateLimit).toBeDefined();
    expect(document.paths['/api/v1/users/{id}'].get.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/v1/users/{id}'].get.responses['200'].headers.ETag).toBeDefined();
  });

  it('types whole numbers as integers and names its list schemas', () => {
    expect(JSON.stringify(document)).not.toContain('"type":"number"');
    const list = document.paths['/api/v1/users'].get.responses['200'].content['application/json'].schema;
    expect(list).toEqual({ $ref: '#/components/schemas/UserPage' });
    expect(document.components.schemas.UserPage.properties.rows.items.$ref).toBe('#/components/schemas/UserDto');
  });

  it('has servers and described tags', () => {
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(document.tags.length).toBeGreaterThan(5);
    for (const tag of document.tags) expect(tag.description).toEqual(expect.any(String));
  });
});
