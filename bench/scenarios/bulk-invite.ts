import { isDeepStrictEqual } from 'node:util';
import { call, ensureReader, Identity, identityOf, startApp, startBaseline, tokenLogin } from '../lib/api';
import { invitationRowShapes, seedPatientsWithEmails } from '../lib/database';
import { load, Request } from '../lib/load';
import { check, round, scenario } from '../lib/measure';
import { Child, freePort } from '../lib/processes';
import type { Alone, Extra, Scenario } from '../lib/scenario';
import { ADMIN, BULK_PATIENTS, log, READER, RUN_ID, SECONDS } from '../lib/settings';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Connections of the GET load while a job runs and before: a steady load that leaves the job some of the CPU. */
const GET_CONNECTIONS = 8;

interface Bench {
  app: Child;
  sink: Child;
  bare: Child;
  practitioner: Identity;
  practitionerId: string;
  practitionerEmail: string;
  reader: Identity;
}

async function sinkStats(sink: Child, prefix: string): Promise<{ count: number; medianBytes: number; lastAt: number | null }> {
  return (await (await fetch(`${sink.url}/stats?to=${encodeURIComponent(prefix)}`)).json()) as Awaited<ReturnType<typeof sinkStats>>;
}

/** Waits until the sink holds `count` mails to `prefix`; returns when the last came. */
async function delivered(sink: Child, prefix: string, count: number, timeoutMs = 600_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await sinkStats(sink, prefix);
    if (stats.count >= count) return stats.lastAt!;
    if (Date.now() > deadline) throw new Error(`${stats.count} of ${count} mails to ${prefix}* arrived`);
    await sleep(50);
  }
}

/** A practitioner with an email (the reply-to), its user, and `sets` groups of BULK_PATIENTS patients with emails. */
async function seed(app: Child, mainUrl: string, prefixes: string[]) {
  const admin = await identityOf(app, ADMIN.login, ADMIN.password);
  const adminAccess = (await tokenLogin(app, admin)).accessToken;
  const practitionerEmail = `bench-bulk-${RUN_ID}@bulk.bench.test`;
  const telecoms = [{ system: 'email', value: practitionerEmail }];
  const hcp = await call(
    app.url,
    'POST',
    '/api/v1/practitioners',
    { firstName: 'Bench', lastName: 'Practitioner', addresses: [{ telecoms }] },
    adminAccess,
  );
  const login = `bench-bulk-${RUN_ID}`;
  const password = 'bench-bulk-password-0123';
  await call(
    app.url,
    'POST',
    '/api/v1/users',
    { login, email: practitionerEmail, passwordHash: password, healthcarePartyId: hcp.id },
    adminAccess,
  );
  const practitioner = await identityOf(app, login, password);
  const access = (await tokenLogin(app, practitioner)).accessToken;
  const sets: string[][] = [];
  for (const prefix of prefixes) {
    const telecomsOfTemplate = [{ system: 'email', value: `${prefix}-0@bulk.bench.test` }];
    const template = await call(
      app.url,
      'POST',
      '/api/v1/patients',
      { firstName: 'Argan', lastName: 'Patient', addresses: [{ telecoms: telecomsOfTemplate }] },
      access,
    );
    sets.push(await seedPatientsWithEmails(mainUrl, template.id, hcp.id, prefix, BULK_PATIENTS));
  }
  await ensureReader(app);
  const reader = await identityOf(app, READER.login, READER.password);
  return { practitioner, practitionerId: hcp.id as string, practitionerEmail, reader, sets };
}

/** Starts a job of the practitioner's; resolves when it is DONE, with the time it took. */
async function runJob(b: Bench, patientIds: string[]): Promise<{ started: number; ms: number }> {
  const access = (await tokenLogin(b.app, b.practitioner)).accessToken;
  const started = Date.now();
  const job = await call(b.app.url, 'POST', '/api/v1/patients/invite', { patientIds }, access, [202]);
  for (;;) {
    const now = await call(b.app.url, 'GET', `/api/v1/invitation-jobs/${job.id}`, undefined, access);
    if (now.status === 'DONE') {
      if (now.invited !== patientIds.length) throw new Error(`the job invited ${now.invited} of ${patientIds.length}`);
      return { started, ms: Date.now() - started };
    }
    await sleep(50);
  }
}

/** The creation and delivery baselines must write and send what the app did (bench/baselines/bulk-baseline.ts). */
function checkParity(app: Record<string, string[]>, bare: Record<string, string[]>, appBytes: number, bareBytes: number): void {
  if (!isDeepStrictEqual(app, bare)) {
    throw new Error(
      `the baseline's rows differ from the app's: update bench/baselines/bulk-baseline.ts\napp:  ${JSON.stringify(app)}\nbare: ${JSON.stringify(bare)}`,
    );
  }
  if (Math.abs(appBytes - bareBytes) > 0.1 * appBytes)
    throw new Error(`the baseline's mails (${bareBytes} B) differ in size from the app's (${appBytes} B)`);
}

async function startProcesses(
  mainUrl: string,
  children: Child[],
): Promise<Omit<Bench, 'practitioner' | 'practitionerId' | 'practitionerEmail' | 'reader'>> {
  const smtpPort = await freePort();
  const sink = await startBaseline('baseline-smtp-sink', 'smtp-sink.ts', { SMTP_PORT: String(smtpPort) });
  children.push(sink);
  // Long waits: phase 1 holds the relay at MAIL FROM while the job runs, and the app's sends must wait, not fail.
  const timeouts = 'connectionTimeout=600000&greetingTimeout=600000&socketTimeout=600000';
  const app = await startApp('app-bulk', mainUrl, { profile: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}?${timeouts}` } });
  children.push(app);
  const bare = await startBaseline('baseline-bulk', 'bulk-baseline.ts', {
    DATABASE_URL: mainUrl,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  });
  children.push(bare);
  return { app, sink, bare };
}

/** What a process spent on `work`: its wall time is measured by `work` itself, its CPU (ms) here. */
async function withCpu<T>(child: Child, work: () => Promise<T>): Promise<[T, number]> {
  const before = child.cpuMs();
  const result = await work();
  return [result, child.cpuMs() - before];
}

/** 1. The app's job with the relay held (its messages queue), then the bare INSERTs of the same rows; their rows compared. */
async function measureCreation(b: Bench, mainUrl: string, sets: string[][]) {
  await call(b.sink.url, 'POST', '/hold');
  const [app, appCpu] = await withCpu(b.app, () => runJob(b, sets[0]));
  const body = {
    patientIds: sets[2],
    practitionerId: b.practitionerId,
    practitionerEmail: b.practitionerEmail,
    actorId: b.practitioner.id,
  };
  const [bare, bareCpu] = await withCpu(b.bare, () => call(b.bare.url, 'POST', '/create', body));
  const rows = [await invitationRowShapes(mainUrl, sets[0][BULK_PATIENTS >> 1]), await invitationRowShapes(mainUrl, sets[2][0])];
  return { appMs: app.ms, appCpu, bareMs: bare.ms as number, bareCpu, rows };
}

/** 2. The app's outbox drains the queued messages once the relay answers; then the bare pool sends as many. */
async function measureDelivery(b: Bench, prefixes: string[], bareCount: number) {
  const released = Date.now();
  const [appLast, appCpu] = await withCpu(b.app, async () => {
    await call(b.sink.url, 'POST', '/release');
    return delivered(b.sink, prefixes[0], BULK_PATIENTS);
  });
  const recipients = (kind: string) => Array.from({ length: bareCount }, (_, n) => `${prefixes[2]}-${kind}-${n}@bulk.bench.test`);
  const [bare, bareCpu] = await withCpu(b.bare, () => call(b.bare.url, 'POST', '/deliver', { recipients: recipients('mail') }));
  // For comparison only: the app sends what it composed when the message was queued; so can a bare pool.
  const composed = await call(b.bare.url, 'POST', '/deliver', { recipients: recipients('composed'), composed: true });
  const sizes = [(await sinkStats(b.sink, prefixes[0])).medianBytes, (await sinkStats(b.sink, `${prefixes[2]}-mail-`)).medianBytes];
  return { appMs: appLast - released, appCpu, bareMs: bare.ms as number, bareCpu, composedMs: composed.ms as number, sizes };
}

/**
 * 3. GET /users/:id idle, then while a second job runs (relay answering): from 200 ms after the job's start to its
 * end, so that the window holds the whole run, not only its start (a job gives way to the load, and lasts longer).
 */
async function measureApi(b: Bench, patientIds: string[], prefix: string, expectedJobMs: number) {
  const token = (await tokenLogin(b.app, b.reader)).accessToken;
  const request: Request = { path: `/api/v1/users/${b.reader.id}`, headers: { authorization: `Bearer ${token}` } };
  const seconds = Math.max(1, Math.min(SECONDS, (0.7 * expectedJobMs) / 1000));
  await load({ url: b.app.url, connections: GET_CONNECTIONS, seconds: 2, request });
  const idle = await load({ url: b.app.url, connections: GET_CONNECTIONS, seconds, request });
  const job = runJob(b, patientIds);
  await sleep(200);
  const busy = await load({ url: b.app.url, connections: GET_CONNECTIONS, seconds: 600, until: job, request });
  const second = await job;
  await delivered(b.sink, prefix, BULK_PATIENTS);
  // The load stops once the job is seen DONE (polled every 50 ms): it must have lasted until then.
  return { idle, busy, seconds, jobMs: second.ms, coversJob: busy.seconds * 1000 + 200 >= second.ms - 100 };
}

async function measureBulkInvite({ mainUrl, children }: Alone): Promise<Extra> {
  log(`bulk-invite: jobs of ${BULK_PATIENTS} patients, an SMTP sink, bare INSERTs and a bare nodemailer pool`);
  const processes = await startProcesses(mainUrl, children);
  const prefixes = ['a', 'b', 'bare'].map((set) => `bench-bulk-${RUN_ID}-${set}`);
  const { sets, ...who } = await seed(processes.app, mainUrl, prefixes);
  const b: Bench = { ...processes, ...who };
  const creation = await measureCreation(b, mainUrl, sets);
  const delivery = await measureDelivery(b, prefixes, sets[2].length);
  checkParity(creation.rows[0], creation.rows[1], delivery.sizes[0], delivery.sizes[1]);
  const api = await measureApi(b, sets[1], prefixes[1], creation.appMs);
  const perSecond = (ms: number) => round(BULK_PATIENTS / (ms / 1000), 1);
  const perItem = (cpuMs: number) => round(cpuMs / BULK_PATIENTS, 3);
  const figures = {
    patients: BULK_PATIENTS,
    invitationsPerSecond: perSecond(creation.appMs),
    bareInsertsPerSecond: perSecond(creation.bareMs),
    messagesPerSecond: perSecond(delivery.appMs),
    barePoolPerSecond: perSecond(delivery.bareMs),
    bareComposedPoolPerSecond: perSecond(delivery.composedMs),
    idleP99Ms: round(api.idle.p99Ms),
    busyP99Ms: round(api.busy.p99Ms),
    // CPU of each process per invitation and per message: steadier than rates on a shared machine.
    appCpuMsPerInvitation: perItem(creation.appCpu),
    bareCpuMsPerInvitation: perItem(creation.bareCpu),
    appCpuMsPerMessage: perItem(delivery.appCpu),
    bareCpuMsPerMessage: perItem(delivery.bareCpu),
    idleWindowSeconds: round(api.seconds, 1),
    busyWindowSeconds: round(api.busy.seconds, 1),
    busyWindowCoversJob: api.coversJob ? 'yes' : 'no',
    secondJobMs: api.jobMs,
    errors: api.idle.errors + api.busy.errors,
    non2xx: api.idle.non2xx + api.busy.non2xx,
  };
  log(`  ${JSON.stringify(figures)}`);
  await Promise.all([b.app.stop(), b.bare.stop(), b.sink.stop()]);
  return figures;
}

/** Bulk invitations: creation and delivery against bare baselines, and the API's p99 while a job runs. */
export const bulkInvite: Scenario = {
  id: 'bulk-invite',
  alone: measureBulkInvite,
  evaluate(figures) {
    const f = figures as Record<string, number> | undefined;
    return scenario({
      id: 'bulk-invite',
      title: `POST /api/v1/patients/invite: ${BULK_PATIENTS} patients a job, delivered to a local SMTP server; GET /users/:id (${GET_CONNECTIONS} connections) while it runs`,
      target: 'invitations/s ≥ 0.5 × bare INSERTs of the same rows; messages/s ≥ 0.8 × a bare nodemailer pool; busy p99 ≤ 2 × idle p99',
      extra: f,
      checks: f
        ? [
            check('creation ratio', f.invitationsPerSecond / f.bareInsertsPerSecond, 0.5, '>='),
            check('delivery ratio', f.messagesPerSecond / f.barePoolPerSecond, 0.8, '>='),
            check('busy ÷ idle p99', f.busyP99Ms / f.idleP99Ms, 2, '<='),
          ]
        : [],
      measured: !!f,
      cleanRuns: f ? f.errors === 0 && f.non2xx === 0 && (figures!.busyWindowCoversJob as string) === 'yes' : undefined,
    });
  },
};
