import { AppProcess, spawnApp } from '../support/app-process';
import { createPatient, createPractitionerUser } from '../support/care';
import { openNotificationStream } from '../support/event-stream';
import { figures } from '../support/figures';
import { publicKeyHex } from '../support/keys';
import { lineValue, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; afterMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, afterMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * Two API instances on one database, each the real entry point (main.ts) in a process of its own with the
 * same JWT_SECRET: nothing that must be shared may live in one process's memory (caches, the logger),
 * and with separate processes nothing can.
 */
describe('Two instances on one database', () => {
  const mail = new TestMailServer();
  let database: { name: string; url: string };
  let one: AppProcess;
  let two: AppProcess;

  beforeAll(async () => {
    await mail.start();
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, SMTP_URL: mail.url, LOCKOUT_MAX_FAILURES: '3', LOCKOUT_BASE_SECONDS: '60' };
    [one, two] = await Promise.all([spawnApp({ env }), spawnApp({ env })]);
    await Promise.all([one.ready(), two.ready()]);
    expect(one.child.pid).not.toBe(two.child.pid);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await dropTestDatabase(database.name);
    await mail.stop();
  });

  it('delivers every invitation message exactly once while both workers run', async () => {
    const admins = [await loginAsAdmin(one.http), await loginAsAdmin(two.http)];
    const emails = Array.from({ length: 20 }, () => `${unique('twice')}@x.org`);
    const created = await Promise.all(
      emails.map((email, i) =>
        admins[i % 2].post('/api/v1/invitations', { email, resource: { resourceType: 'Patient' }, sendEmail: true }),
      ),
    );
    // A message that never comes is counted below, not thrown here, so that the figure shows it (one deadline for all).
    const deadline = Date.now() + 15_000;
    for (const email of emails) await mail.waitFor(email, 1, Math.max(0, deadline - Date.now())).catch(() => []);
    await sleep(1000); // time for a duplicate to show up, if there were one
    const received = emails.map((email) => mail.to(email).length);
    const missing = received.filter((n, i) => n === 0 && created[i].status === 201).length; // acknowledged, never delivered
    const duplicates = received.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    figures.record('instances', 'outbox with two workers', {
      messages: emails.length,
      delivered: received.filter((n) => n > 0).length,
      duplicates,
      // Acknowledged messages never delivered, plus extra copies delivered.
      lost: missing + duplicates,
    });
    expect(created.map((r) => r.status)).toEqual(Array(emails.length).fill(201));
    expect(received).toEqual(Array(emails.length).fill(1));
  });

  it('holds a lockout earned on one instance on the other', async () => {
    const admin = await loginAsAdmin(one.http);
    const { login, password } = await createUser(admin);
    for (let i = 0; i < 3; i++) expect((await one.http.post('/api/v1/auth/login', { login, password: 'bad guess 123' })).status).toBe(401);
    const elsewhere = await two.http.post('/api/v1/auth/login', { login, password });
    expect(elsewhere.status).toBe(429);
    figures.record('instances', 'lockout across instances', { failuresOnOne: 3, refusedOnTwo: elsewhere.status === 429 ? 1 : 0 });
  });

  it('refuses on one instance a session revoked on the other', async () => {
    const admin = await loginAsAdmin(one.http);
    const { user, login, password } = await createUser(admin);
    const onTwo = await loginAs(two.http, login, password);
    expect((await onTwo.get('/api/v1/users/current')).status).toBe(200); // instance two now caches the session
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...user, status: 'DISABLED' })).status).toBe(200);
    const { afterMs } = await until(async () => ((await onTwo.get('/api/v1/users/current')).status === 401 ? true : undefined), 2000);
    expect(afterMs).toBeLessThan(1000);
    expect((await two.http.post('/api/v1/auth/refresh', { refreshToken: onTwo.tokens.refreshToken })).status).toBe(401);
    figures.record('instances', 'session revoked on one, refused on the other', { refusedAfterMs: afterMs });
  });

  it('streams on one instance a notification created through the other', async () => {
    const admin = await loginAsAdmin(one.http);
    const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@x.org` });
    const email = `${unique('argan')}@x.org`;
    const patient = await createPatient(doctor.client, { email });
    await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {});
    const [message] = await mail.waitFor(email);

    const stream = await openNotificationStream(two.baseUrl, doctor.client.tokens.accessToken);
    try {
      expect(stream.status).toBe(200);
      const started = Date.now();
      const activated = await one.http.post('/api/v1/auth/activate', {
        login: lineValue(message.text, 'Login'),
        token: lineValue(message.text, 'Token'),
        publicKey: publicKeyHex(),
      });
      expect(activated.status).toBe(200);
      const waitStarted = Date.now();
      const notification = await stream.waitFor((event) => event.responsible === patient.id, 5000);
      const deliveredAfterMs = Date.now() - started;
      expect(notification.type).toBe('NEW_USER_OWN_DATA_ACCESS');
      figures.record('instances', 'SSE across instances', { deliveredAfterMs, waitedMs: Date.now() - waitStarted });
    } finally {
      await stream.close();
    }
  });

  it('ends on one instance a notification stream whose session was revoked on the other', async () => {
    const admin = await loginAsAdmin(one.http);
    const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@x.org` });
    const stream = await openNotificationStream(two.baseUrl, doctor.client.tokens.accessToken);
    expect(stream.status).toBe(200);
    const user = (await admin.get(`/api/v1/users/${doctor.user.id}`)).body;
    const started = Date.now();
    expect((await admin.put(`/api/v1/users/${user.id}`, { ...user, status: 'DISABLED' })).status).toBe(200);
    const endedAfterMs = await stream.waitForEnd(started, 2000);
    await stream.close();
    expect(endedAfterMs).toBeLessThan(1000);
    figures.record('instances', 'SSE stream ended across instances', { endedAfterMs });
  });
});
