import type { operations } from './generated/schema.js';

type Criteria<Q> = Omit<NonNullable<Q>, 'limit' | 'cursor'>;

export type UserFilterCriteria = Criteria<operations['filterUsersBy']['parameters']['query']>;
export type PatientFilterCriteria = Criteria<operations['filterPatientsBy']['parameters']['query']>;

/**
 * iCure's UserFilter: `await new UserFilter(api).byPatientId(id).build()`.
 * Criteria combine (all must match); `build()` is async as in the seed.
 */
export class UserFilter {
  private readonly criteria: UserFilterCriteria = {};

  /** The seed passes its api; Careid filters on the server and does not need it. */
  constructor(_api?: unknown) {}

  byIds(ids: string[]): this {
    this.criteria.ids = [...ids];
    return this;
  }

  byPatientId(patientId: string): this {
    this.criteria.patientId = patientId;
    return this;
  }

  byHealthcarePartyId(healthcarePartyId: string): this {
    this.criteria.healthcarePartyId = healthcarePartyId;
    return this;
  }

  withStatus(status: NonNullable<UserFilterCriteria['status']>): this {
    this.criteria.status = status;
    return this;
  }

  /** Login or email prefix, case-insensitive. */
  byLoginOrEmailPrefix(prefix: string): this {
    this.criteria.q = prefix;
    return this;
  }

  async build(): Promise<UserFilterCriteria> {
    return { ...this.criteria };
  }
}

/** Patients by name prefix, ssin or date of birth (YYYYMMDD); the caller sees only the patients it may read. */
export class PatientFilter {
  private readonly criteria: PatientFilterCriteria = {};

  constructor(_api?: unknown) {}

  byName(prefix: string): this {
    this.criteria.name = prefix;
    return this;
  }

  bySsin(ssin: string): this {
    this.criteria.ssin = ssin;
    return this;
  }

  byDateOfBirth(dateOfBirth: number): this {
    this.criteria.dateOfBirth = dateOfBirth;
    return this;
  }

  async build(): Promise<PatientFilterCriteria> {
    return { ...this.criteria };
  }
}
