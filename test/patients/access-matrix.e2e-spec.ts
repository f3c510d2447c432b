import { HttpClient } from '../support/http';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { createPatient, createRecord, patientUser, practitionerUser } from './fixtures';

/**
 * Who gets which status on every patients, practitioners and medical-records
 * route. The routes come from the app's OpenAPI document: a route without a
 * row here fails the test, so none can be added without deciding who may use it.
 */
const ACTORS = [
  'anonymous',
  'plainUser',
  'patientUserOwn',
  'patientUserOther',
  'practitionerWithDelegation',
  'practitionerWithout',
  'admin',
] as const;
type Actor = (typeof ACTORS)[number];

const PREFIXES = ['/api/v1/patients', '/api/v1/practitioners', '/api/v1/data-samples', '/api/v1/healthcare-elements'];

/**
 * The world a cell runs against, built lazily: a
 * patient P of practitionerWithDelegation with a data sample, a healthcare
 * element and a user (patientUserOwn), all unknown to practitionerWithout.
 */
class World {
  private cache = new Map<string, Promise<any>>();
  constructor(private readonly fixtures: Fixtures) {}

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key)!;
  }
  patient(): Promise<any> {
    return this.once('patient', () => createPatient(this.fixtures.withDelegation.session));
  }
  async record(kind: 'data-samples' | 'healthcare-elements'): Promise<any> {
    const patient = await this.patient();
    return this.once(kind, () => createRecord(this.fixtures.withDelegation.session, kind, patient.id));
  }
  /** The patient's own user, which share-all-data needs and patientUserOwn logs in as. */
  patientSession(): Promise<HttpClient> {
    return this.once(
      'patientUser',
      async () => (await patientUser(this.fixtures.http, this.fixtures.admin, (await this.patient()).id)).session,
    );
  }
  /** The current state of something, as an admin reads it (so that a PUT carries the current rev). */
  async current(path: string): Promise<any> {
    return (await this.fixtures.admin.get(path)).body;
  }
}

interface Fixtures {
  http: HttpClient;
  admin: HttpClient;
  plain: HttpClient;
  otherPatient: HttpClient;
  withDelegation: Awaited<ReturnType<typeof practitionerUser>>;
  without: Awaited<ReturnType<typeof practitionerUser>>;
}

interface Row {
  request(world: World, fixtures: Fixtures): Promise<{ path: string; body?: unknown }>;
  expected: Record<Actor, number>;
  /** The cells write to one shared record: run them one after the other. */
  serial?: boolean;
}

/** Expected statuses, in ACTORS order. */
function statuses(...codes: number[]): Record<Actor, number> {
  return Object.fromEntries(ACTORS.map((actor, i) => [actor, codes[i]])) as Record<Actor, number>;
}

const recordRows = (kind: 'data-samples' | 'healthcare-elements'): Record<string, Row> => ({
  [`POST /api/v1/${kind}`]: {
    request: async (w) => ({ path: `/api/v1/${kind}`, body: { patientId: (await w.patient()).id, content: { note: 'x' } } }),
    expected: statuses(401, 403, 403, 403, 201, 400, 201),
  },
  [`GET /api/v1/${kind}`]: {
    request: async (w) => ({ path: `/api/v1/${kind}?patientId=${(await w.patient()).id}` }),
    expected: statuses(401, 403, 200, 200, 200, 200, 200),
  },
  [`GET /api/v1/${kind}/{id}`]: {
    request: async (w) => ({ path: `/api/v1/${kind}/${(await w.record(kind)).id}` }),
    expected: statuses(401, 403, 404, 404, 200, 404, 200),
  },
  [`PUT /api/v1/${kind}/{id}`]: {
    request: async (w) => {
      const path = `/api/v1/${kind}/${(await w.record(kind)).id}`;
      return { path, body: { ...(await w.current(path)), tags: { changed: true } } };
    },
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },
  [`DELETE /api/v1/${kind}/{id}`]: {
    request: async (w) => ({ path: `/api/v1/${kind}/${(await w.record(kind)).id}` }),
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },
});

const MATRIX: Record<string, Row> = {
  'POST /api/v1/practitioners': {
    request: async () => ({ path: '/api/v1/practitioners', body: { lastName: unique('Matrix') } }),
    expected: statuses(401, 403, 403, 403, 403, 403, 201),
  },
  'GET /api/v1/practitioners': {
    request: async () => ({ path: '/api/v1/practitioners?limit=5' }),
    expected: statuses(401, 200, 200, 200, 200, 200, 200),
  },
  'GET /api/v1/practitioners/{id}': {
    request: async (_w, f) => ({ path: `/api/v1/practitioners/${f.withDelegation.practitioner.id}` }),
    expected: statuses(401, 200, 200, 200, 200, 200, 200),
  },
  // The target is practitionerWithDelegation's own practitioner record.
  'PUT /api/v1/practitioners/{id}': {
    request: async (w, f) => {
      const path = `/api/v1/practitioners/${f.withDelegation.practitioner.id}`;
      return { path, body: { ...(await w.current(path)), speciality: unique('s') } };
    },
    expected: statuses(401, 403, 403, 403, 200, 403, 200),
    serial: true,
  },
  'DELETE /api/v1/practitioners/{id}': {
    request: async (_w, f) => ({
      path: `/api/v1/practitioners/${(await f.admin.post('/api/v1/practitioners', { lastName: 'Doomed' })).body.id}`,
    }),
    expected: statuses(401, 403, 403, 403, 403, 403, 200),
  },
  'POST /api/v1/patients': {
    request: async () => ({ path: '/api/v1/patients', body: { firstName: 'Argan', lastName: unique('Matrix') } }),
    expected: statuses(401, 403, 403, 403, 201, 201, 201),
  },
  'GET /api/v1/patients': {
    request: async () => ({ path: '/api/v1/patients?limit=5' }),
    expected: statuses(401, 403, 200, 200, 200, 200, 200),
  },
  'GET /api/v1/patients/{id}': {
    request: async (w) => ({ path: `/api/v1/patients/${(await w.patient()).id}` }),
    expected: statuses(401, 403, 404, 404, 200, 404, 200),
  },
  'GET /api/v1/patients/{id}/administrative': {
    request: async (w) => ({ path: `/api/v1/patients/${(await w.patient()).id}/administrative` }),
    expected: statuses(401, 403, 200, 404, 200, 404, 200),
  },
  'PUT /api/v1/patients/{id}': {
    request: async (w) => {
      const path = `/api/v1/patients/${(await w.patient()).id}`;
      return { path, body: { ...(await w.current(path)), gender: 'female' } };
    },
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },
  'DELETE /api/v1/patients/{id}': {
    request: async (w) => ({ path: `/api/v1/patients/${(await w.patient()).id}` }),
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },
  'POST /api/v1/patients/{id}/delegations': {
    request: async (w, f) => ({
      path: `/api/v1/patients/${(await w.patient()).id}/delegations`,
      body: { dataOwnerId: f.without.practitioner.id, includeRecords: true },
    }),
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },
  // The patient has no email or mobile: a practitioner who may invite gets the precondition's 400, an admin must name a practitioner.
  'POST /api/v1/patients/{id}/invite': {
    request: async (w) => ({ path: `/api/v1/patients/${(await w.patient()).id}/invite`, body: {} }),
    expected: statuses(401, 403, 403, 403, 400, 404, 400),
  },
  'POST /api/v1/patients/{id}/share-all-data': {
    request: async (w) => {
      await w.record('data-samples');
      await w.patientSession();
      return { path: `/api/v1/patients/${(await w.patient()).id}/share-all-data` };
    },
    expected: statuses(401, 403, 403, 403, 200, 404, 200),
  },
  ...recordRows('data-samples'),
  ...recordRows('healthcare-elements'),
};

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
