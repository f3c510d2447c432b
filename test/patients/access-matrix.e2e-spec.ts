import { createUser, loginAs, loginAsAdmin } from '../support/session';
import { HttpClient } from '../support/http';
import { startTestApp, TestApp } from '../support/test-app';
import { createPatient, patientUser, practitionerUser } from './fixtures';
import { Actor, ACTORS, Fixtures, MATRIX, PREFIXES, World } from './access-matrix.rows';

describe('Access matrix: patients, practitioners and medical records', () => {
  let t: TestApp;
  let fixtures: Fixtures;

  beforeAll(async () => {
    t = await startTestApp();
    const admin = await loginAsAdmin(t.http);
    const withDelegation = await practitionerUser(t.http, admin);
    const without = await practitionerUser(t.http, admin);
    const plainUser = await createUser(admin);
    const otherPatient = await createPatient(without.session);
    fixtures = {
      http: t.http,
      admin,
      plain: await loginAs(t.http, plainUser.login, plainUser.password),
      otherPatient: (await patientUser(t.http, admin, otherPatient.id)).session,
      otherPatientId: otherPatient.id,
      withDelegation,
      without,
    };
  });
  afterAll(() => t.close());

  it('has a row for every route of the OpenAPI document, and no row for a route that is gone', async () => {
    const document = (await t.http.get('/api/docs-json')).body;
    const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)))
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
          .map((method) => `${method.toUpperCase()} ${path}`),
      );
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((route) => !(route in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((route) => !routes.includes(route))).toEqual([]);
  });

  it.each(Object.keys(MATRIX))('%s', async (route) => {
    const [method] = route.split(' ');
    const row = MATRIX[route];
    const sessions = async (actor: Actor, world: World): Promise<HttpClient> => {
      switch (actor) {
        case 'anonymous':
          return t.http;
        case 'plainUser':
          return fixtures.plain;
        case 'patientUserOwn':
          return world.patientSession();
        case 'patientUserOther':
          return fixtures.otherPatient;
        case 'practitionerWithDelegation':
          return fixtures.withDelegation.session;
        case 'practitionerWithout':
          return fixtures.without.session;
        case 'admin':
          return fixtures.admin;
      }
    };
    // A read changes nothing, so its cells share one world; any other call gets a fresh world per cell.
    const shared = method === 'GET' ? new World(fixtures) : undefined;
    const cell = async (actor: Actor) => {
      const world = shared ?? new World(fixtures);
      const client = await sessions(actor, world);
      const { path, body } = await row.request(world, fixtures);
      return [actor, (await client.request(method, path, body)).status] as const;
    };
    const results: (readonly [Actor, number])[] = [];
    if (row.serial) for (const actor of ACTORS) results.push(await cell(actor));
    else results.push(...(await Promise.all(ACTORS.map(cell))));
    const actual = Object.fromEntries(results);
    expect(actual).toEqual(row.expected);
  });
});
