import * as bcrypt from 'bcrypt';
import { call, Clinic, Identity, identityOf, seedClinic, startApp, startBaseline, tokenLogin } from '../lib/api';
import { BenchServer, ensureDatabase, explainByEmail, generatedUser, seedGeneratedUsers } from '../lib/database';
import { load, Request } from '../lib/load';
import { checkParity, ParityCheck } from '../lib/parity';
import { Child } from '../lib/processes';
import type { Throughput } from '../lib/scenario';
import { ADMIN, BIG_USERS, COST, INITIAL_WARMUP_SECONDS, JWT_SECRET, log, READER, SMALL_USERS, PATIENTS, wanted } from '../lib/settings';

/** The app on the database of BIG_USERS generated users, and its admin; the EXPLAIN of its lookup goes to `notes`. */
async function startBigApp(server: BenchServer, storedHash: string, children: Child[], notes: string[]) {
  const bigName = `${server.mainName}_1m`;
  const bigUrl = server.urlFor(bigName);
  await ensureDatabase(server, bigName);
  const big = await startApp('app-1m', bigUrl);
  children.push(big);
  const t0 = Date.now();
  log(`making sure ${bigName} holds ${BIG_USERS} generated users (SQL generate_series)`);
  const added = await seedGeneratedUsers(bigUrl, BIG_USERS, storedHash);
  if (added) {
    log(`  added ${added} users in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    notes.push(`${added} generated users were inserted into ${bigName} in this run.`);
  }
  const bigAdmin = await identityOf(big, ADMIN.login, ADMIN.password);
  const probe = generatedUser(Math.ceil(BIG_USERS / 2)).email.toLowerCase();
  notes.push(`EXPLAIN of the by-email lookup on ${BIG_USERS} users:\n${await explainByEmail(bigUrl, probe)}`);
  return { big, bigAdmin };
}

/** The bare server must answer with the app's JSON: it runs the bench's copy of the app's statements. */
async function checkBareServer(t: Throughput): Promise<void> {
  const parity: ParityCheck[] = [
    { what: 'user', app: `/api/v1/users/${t.reader.id}`, bare: `/users/${t.reader.id}`, headers: (await t.getUser()).headers! },
  ];
  if (t.clinic) {
    const { headers } = await t.asPractitioner('');
    parity.push({
      what: 'patient',
      app: `/api/v1/patients/${t.clinic.patientId}`,
      bare: `/patients/${t.clinic.patientId}`,
      headers: headers!,
    });
  }
  await checkParity(t.app.url, t.bare.url, parity);
}

/** Once, before round 1, every hot route of the app and the bare server, so the JIT has compiled them. */
async function warmUpOnce(t: Throughput): Promise<void> {
  log(`warming up the app and the bare server (${INITIAL_WARMUP_SECONDS} s per route)`);
  const warm = async (url: string, request: Request) => load({ url, connections: 32, seconds: INITIAL_WARMUP_SECONDS, request });
  await warm(t.app.url, await t.getUser());
  await warm(t.app.url, { path: `/api/v1/bench-unguarded/users/${t.reader.id}` });
  await warm(t.bare.url, { path: `/users/${t.reader.id}`, headers: (await t.getUser()).headers });
  await warm(t.app.url, {
    method: 'POST',
    path: '/api/v1/auth/login',
    body: JSON.stringify({ login: t.reader.login, password: t.reader.token }),
  });
  if (t.clinic) {
    await warm(t.app.url, await t.asPractitioner(`/api/v1/patients/${t.clinic.patientId}`));
    await warm(t.bare.url, await t.asPractitioner(`/patients/${t.clinic.patientId}`));
    await warm(t.app.url, await t.asPractitioner(`/api/v1/patients?cursor=${encodeURIComponent(t.clinic.deepCursor)}`));
  }
  if (t.big && t.bigAdmin) {
    // Both by-email processes equally warm: app-1m serves nothing else.
    for (const [child, who, n] of [
      [t.app, t.admin, SMALL_USERS / 2],
      [t.big, t.bigAdmin, Math.ceil(BIG_USERS / 2)],
    ] as const) {
      await warm(child.url, {
        path: `/api/v1/users/by-email/${encodeURIComponent(generatedUser(n).email)}`,
        headers: { authorization: `Bearer ${(await tokenLogin(child, who)).accessToken}` },
      });
    }
  }
}

/**
 * The throughput processes: the app (migrating the fresh main database), the bare server and the bcrypt server;
 * the seeded admin, a reader user made through the API, 1,000 generated users, and when wanted the clinic and the
 * app on BIG_USERS users. Checks the bare server's answers, then warms everything up once.
 */
export async function setUpThroughput(server: BenchServer, children: Child[], notes: string[]): Promise<Throughput> {
  const mainUrl = server.urlFor(server.mainName);
  const app = await startApp('app', mainUrl, { profile: true });
  children.push(app);
  log(`app ready in ${app.readyAfterMs.toFixed(0)} ms (first start: migrations)`);
  const bare = await startBaseline('baseline-bare-read', 'bare-read-server.ts', { DATABASE_URL: mainUrl, JWT_SECRET });
  const bcryptServer = await startBaseline('baseline-bcrypt', 'bcrypt-server.ts', { BENCH_PASSWORD: READER.password });
  children.push(bare, bcryptServer);

  const admin = await identityOf(app, ADMIN.login, ADMIN.password);
  const adminAccess = (await tokenLogin(app, admin)).accessToken;
  await call(app.url, 'POST', '/api/v1/users', { login: READER.login, email: READER.email, passwordHash: READER.password }, adminAccess);
  const reader: Identity = await identityOf(app, READER.login, READER.password);
  const storedHash = await bcrypt.hash('generated-user-password', Number(COST));
  await seedGeneratedUsers(mainUrl, SMALL_USERS, storedHash);

  let clinic: Clinic | undefined;
  if (wanted('patients-get') || wanted('patients-page')) {
    log(`seeding a practitioner with ${PATIENTS} patients`);
    clinic = await seedClinic(app, adminAccess, mainUrl);
  }
  const bigOne = wanted('by-email-1m') ? await startBigApp(server, storedHash, children, notes) : undefined;
  const throughput: Throughput = {
    app,
    bare,
    bcryptServer,
    ...bigOne,
    admin,
    reader,
    clinic,
    getUser: async () => ({
      path: `/api/v1/users/${reader.id}`,
      headers: { authorization: `Bearer ${(await tokenLogin(app, reader)).accessToken}` },
    }),
    asPractitioner: async (path) => ({
      path,
      headers: { authorization: `Bearer ${(await tokenLogin(app, clinic!.practitioner)).accessToken}` },
    }),
  };
  await checkBareServer(throughput);
  if (INITIAL_WARMUP_SECONDS > 0) await warmUpOnce(throughput);
  return throughput;
}
