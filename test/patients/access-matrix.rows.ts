import { HttpClient } from '../support/http';
import { unique } from '../support/session';
import { createPatient, createRecord, patientUser, practitionerUser } from './fixtures';

/**
 * Who gets which status on every patients, practitioners and medical-records
 * route. The routes come from the app's OpenAPI document: a route without a
 * row here fails the test, so none can be added without deciding who may use it.
 * The other routes have their rows in test/reliability/access-matrix.e2e-spec.ts,
 * which checks that the two tables together cover every route, once.
 */
export const ACTORS = [
  'anonymous',
  'plainUser',
  'patientUserOwn',
  'patientUserOther',
  'practitionerWithDelegation',
  'practitionerWithout',
  'admin',
] as const;
export type Actor = (typeof ACTORS)[number];

export const PREFIXES = ['/api/v1/patients', '/api/v1/practitioners', '/api/v1/data-samples', '/api/v1/healthcare-elements'];

/**
 * The world a cell runs against, built lazily: a
 * patient P of practitionerWithDelegation with a data sample, a healthcare
 * element and a user (patientUserOwn), all unknown to practitionerWithout.
 * P and its records are shared with patientUserOther's patient, which gives
 * that user nothing: a patient user reads only its own patient and records.
 */
export class World {
  private cache = new Map<string, Promise<any>>();
  constructor(private readonly fixtures: Fixtures) {}

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key)!;
  }
  patient(): Promise<any> {
    return this.once('patient', async () => {
      const patient = await createPatient(this.fixtures.withDelegation.session);
      await this.shareWithOtherPatient(patient.id);
      return patient;
    });
  }
  async record(kind: 'data-samples' | 'healthcare-elements'): Promise<any> {
    const patient = await this.patient();
    return this.once(kind, async () => {
      const record = await createRecord(this.fixtures.withDelegation.session, kind, patient.id);
      await this.shareWithOtherPatient(patient.id);
      return record;
    });
  }
  private async shareWithOtherPatient(patientId: string): Promise<void> {
    const response = await this.fixtures.withDelegation.session.post(`/api/v1/patients/${patientId}/delegations`, {
      dataOwnerId: this.fixtures.otherPatientId,
      includeRecords: true,
    });
    if (response.status !== 200) throw new Error(`share with the other patient failed: ${response.status} ${response.text}`);
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

export interface Fixtures {
  http: HttpClient;
  admin: HttpClient;
  plain: HttpClient;
  otherPatient: HttpClient;
  /** The patient patientUserOther stands for. */
  otherPatientId: string;
  withDelegation: Awaited<ReturnType<typeof practitionerUser>>;
  without: Awaited<ReturnType<typeof practitionerUser>>;
}

export interface Row {
  request(world: World, fixtures: Fixtures): Promise<{ path: string; body?: unknown }>;
  expected: Record<Actor, number>;
  /** The cells write to one shared record: run them one after the other. */
  serial?: boolean;
}

/** Expected statuses, in ACTORS order. */
export function statuses(...codes: number[]): Record<Actor, number> {
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

export const MATRIX: Record<string, Row> = {
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
  // A job for whoever may invite (an unreadable patient is skipped in it, not refused); an admin must name a practitioner.
  'POST /api/v1/patients/invite': {
    request: async (w) => ({ path: '/api/v1/patients/invite', body: { patientIds: [(await w.patient()).id] } }),
    expected: statuses(401, 403, 403, 403, 202, 202, 400),
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
