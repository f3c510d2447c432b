import { randomBytes } from 'node:crypto';

/** The bench's settings (BENCHMARKS.md, "How to run it"), read once from the environment. */
const env = process.env;
export const SECONDS = Number(env.BENCH_SECONDS ?? 5);
export const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? Math.min(2, SECONDS));
export const ROUNDS = Number(env.BENCH_ROUNDS ?? 5);
export const MEMORY_SECONDS = Number(env.BENCH_MEMORY_SECONDS ?? 60);
export const MEMORY_REQUESTS = Number(env.BENCH_MEMORY_REQUESTS ?? 100_000);
export const BIG_USERS = Number(env.BENCH_BIG_USERS ?? 1_000_000);
export const SMALL_USERS = 1_000;
export const PATIENTS = Number(env.BENCH_PATIENTS ?? 100_000);
/** The list's default page size (PatientsController): page 1,000 of 100,000 patients is their last. */
export const PATIENTS_PAGE_SIZE = 100;
export const PATIENTS_PAGE = Math.max(2, Math.floor(PATIENTS / PATIENTS_PAGE_SIZE));
export const STARTS = Number(env.BENCH_STARTS ?? 5);
/** Patients per bulk invitation job (bulk-invite: two jobs and the baseline's share, each of this many). */
export const BULK_PATIENTS = Number(env.BENCH_BULK_PATIENTS ?? 2000);
/** Once, before round 1: the app's hot paths get JIT-compiled before any window counts. */
export const INITIAL_WARMUP_SECONDS = Number(env.BENCH_INITIAL_WARMUP_SECONDS ?? 5);
export const COST = env.BCRYPT_COST ?? '12';
export const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
export const CPU_PROFILE_DIR = env.BENCH_CPU_PROF;
/** A run with the default settings and every scenario: only such a run updates latest.json and BENCHMARKS.md. */
export const FULL =
  !ONLY &&
  SECONDS >= 5 &&
  ROUNDS >= 5 &&
  MEMORY_SECONDS >= 60 &&
  MEMORY_REQUESTS >= 100_000 &&
  BIG_USERS >= 1_000_000 &&
  PATIENTS >= 100_000 &&
  !CPU_PROFILE_DIR;

export const RUN_ID = randomBytes(4).toString('hex');
export const JWT_SECRET = randomBytes(36).toString('base64url');
export const DATA_ENCRYPTION_KEY = randomBytes(32).toString('base64');
export const ADMIN = { login: 'bench-admin', password: 'bench-admin-password-0123' };
export const READER = { login: 'bench-reader', email: 'bench-reader@bench.careid.test', password: 'bench-reader-password-0123' };
export const PRACTITIONER = {
  login: 'bench-practitioner',
  email: 'bench-practitioner@bench.careid.test',
  password: 'bench-practitioner-password-0123',
};
export const NEW_USER_PASSWORD = 'bench-new-user-password-0123';

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
export const wanted = (id: string) => !ONLY || ONLY.has(id);
