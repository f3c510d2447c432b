import type { Scenario } from '../lib/scenario';
import { bulkInvite } from './bulk-invite';
import { byEmail1m } from './by-email-1m';
import { createUser } from './create-user';
import { getUser } from './get-user';
import { guardOverhead } from './guard-overhead';
import { memoryLoad } from './memory-load';
import { memoryLogins } from './memory-logins';
import { oidcToken } from './oidc-token';
import { passwordLogin } from './password-login';
import { passwordLoginLatency } from './password-login-latency';
import { patientsGet } from './patients-get';
import { patientsPage } from './patients-page';
import { refresh } from './refresh';
import { startup } from './startup';
import { tokenLogin } from './token-login';

/** Every scenario, in the order of the results table (BENCHMARKS.md, "Scenarios"). */
export const SCENARIOS: Scenario[] = [
  getUser,
  patientsGet,
  guardOverhead,
  refresh,
  tokenLogin,
  passwordLogin,
  passwordLoginLatency,
  createUser,
  oidcToken,
  byEmail1m,
  patientsPage,
  bulkInvite,
  memoryLoad,
  memoryLogins,
  startup,
];

/** The order in which a round measures the throughput scenarios' windows. */
export const ROUND_ORDER: Scenario[] = [
  getUser,
  refresh,
  passwordLogin,
  passwordLoginLatency,
  createUser,
  patientsGet,
  patientsPage,
  byEmail1m,
];

/** The ids whose windows need the throughput processes (the app, the bare server, the bcrypt server). */
export const THROUGHPUT_IDS = ['guard-overhead', 'token-login', ...ROUND_ORDER.map((s) => s.id)];
