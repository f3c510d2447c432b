import type { Clinic, Identity } from './api';
import type { Request } from './load';
import type { Child } from './processes';
import type { ScenarioResult } from './report';

/** The processes the throughput scenarios load, and who calls them (bench/scenarios/setup.ts). */
export interface Throughput {
  app: Child;
  bare: Child;
  bcryptServer: Child;
  /** The app on the database of BIG_USERS users, when by-email-1m runs. */
  big?: Child;
  admin: Identity;
  bigAdmin?: Identity;
  reader: Identity;
  /** The practitioner and its patients, when a patients scenario runs. */
  clinic?: Clinic;
  /** `GET /api/v1/users/:id` of the reader, with a fresh access JWT. */
  getUser(): Promise<Request>;
  /** A GET of `path` by the clinic's practitioner, with a fresh access JWT. */
  asPractitioner(path: string): Promise<Request>;
}

/** What a scenario that runs on processes of its own needs. */
export interface Alone {
  mainUrl: string;
  /** Processes started, stopped by the runner if the scenario fails. */
  children: Child[];
  /** The main database was migrated by an earlier scenario of this run. */
  migrated: boolean;
}

export type Extra = Record<string, number | string>;

export interface Scenario {
  id: string;
  /** One round of this group's windows on the throughput processes, run when any of `for` is wanted. */
  round?: { for: string[]; measure(throughput: Throughput, roundIndex: number): Promise<void> };
  /** A measurement on processes of its own, after the rounds; what it returns goes to `evaluate`. */
  alone?(context: Alone): Promise<Extra | undefined>;
  /** The scenario's line of the table, from the windows measured (bench/lib/measure.ts) or what `alone` returned. */
  evaluate(extra?: Extra): ScenarioResult;
}
