import { createPatient, practitionerUser, registeringPatientUser } from '../patients/fixtures';
import { sql } from '../support/db';
import { openNotificationStream } from '../support/event-stream';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { loginAsAdmin } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A browser's EventSource cannot send an Authorization header: it opens the stream with a one-time ticket
 * (POST /notifications/stream-ticket), and resumes with Last-Event-ID after the `id:` of the last event it got.
 */
describe('Notification stream tickets and resumption', () => {
  let t: TestApp;
  let admin: HttpClient;
  const publicKey = publicKeyHex();
  const issued: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t.http);
  });
  afterAll(() => t.close());

  async function ticketFor(session: HttpClient): Promise<string> {
    const response = await session.post('/api/v1/notifications/stream-ticket');
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    issued.push(response.body.ticket);
    return response.body.ticket;
  }

  /** A patient of the practitioner whose activation sends the practitioner one access request (a notification). */
  async function requestAccessFrom(practitioner: { session: HttpClient }): Promise<string> {
    const patient = await createPatient(practitioner.session);
    const { user, token } = await registeringPatientUser(admin, patient.id);
    expect((await t.http.post('/api/v1/auth/activate', { login: user.login, token, publicKey })).status).toBe(200);
    return patient.id;
  }

  const streamWithTicket = (ticket: string) => t.http.get(`/api/v1/notifications/stream?ticket=${encodeURIComponent(ticket)}`);

  it('opens the stream with a ticket and no Authorization header, once; events carry an id and the stream a retry', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const before = Date.now();
    const issuedAnswer = await doctor.session.post('/api/v1/notifications/stream-ticket');
    expect(issuedAnswer.status).toBe(201);
    expect(issuedAnswer.body.expiresAt).toBeGreaterThanOrEqual(before + 29_000);
    expect(issuedAnswer.body.expiresAt).toBeLessThanOrEqual(Date.now() + 30_000);
    const ticket = issuedAnswer.body.ticket as string;
    issued.push(ticket);

    const stream = await openNotificationStream(t.baseUrl, { ticket });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);

    const reused = await streamWithTicket(ticket);
    expect(reused.status).toBe(401);
    expect(reused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(reused.body.code).toBe('INVALID_STREAM_TICKET');

    const patientId = await requestAccessFrom(doctor);
    await stream.waitFor((n) => n.responsible === patientId, 5000);
    expect(stream.blocks[0]).toMatch(/^retry: \d+$/m);
    expect(stream.ids).toHaveLength(1);
    expect(stream.ids[0]).toMatch(/^\d+$/);
    await stream.close();
  });

  it('refuses an expired, unknown or malformed ticket with 401, and a ticket whose session logged out', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const expired = await ticketFor(doctor.session);
    // Moves the ticket's expiry into the past rather than waiting 30 s.
    const moved = await sql(
      t.database.url,
      `UPDATE stream_tickets SET expires_at = $1 WHERE token_hash = sha256(convert_to($2, 'UTF8')) RETURNING 1`,
      [Date.now() - 1, expired],
    );
    expect(moved).toHaveLength(1);
    expect((await streamWithTicket(expired)).status).toBe(401);

    for (const bad of ['A'.repeat(43), 'not a ticket', '', 'x'.repeat(5000)]) {
      const response = await streamWithTicket(bad);
      expect([bad.length, response.status, response.body.code]).toEqual([bad.length, 401, expect.any(String)]);
    }
    const twice = await t.http.get(`/api/v1/notifications/stream?ticket=${'A'.repeat(43)}&ticket=${'B'.repeat(43)}`);
    expect(twice.status).toBe(401);

    const loggedOut = await ticketFor(doctor.session);
    expect((await t.http.post('/api/v1/auth/logout', { refreshToken: doctor.session.tokens.refreshToken })).status).toBeLessThan(300);
    const refused = await streamWithTicket(loggedOut);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('SESSION_REVOKED');
  });

  it('opens nothing but the stream: elsewhere a ticket is no credential, and is not used up', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const ticket = await ticketFor(doctor.session);
    for (const path of ['/api/v1/notifications', '/api/v1/users/current']) {
      const response = await t.http.get(`${path}?ticket=${ticket}`);
      expect([path, response.status, response.body.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
    }
    const stream = await openNotificationStream(t.baseUrl, { ticket });
    expect(stream.status).toBe(200);
    await stream.close();
  });

  it('ends a stream opened with a ticket when its session logs out', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const stream = await openNotificationStream(t.baseUrl, { ticket: await ticketFor(doctor.session) });
    expect(stream.status).toBe(200);
    const loggedOutAt = Date.now();
    expect((await t.http.post('/api/v1/auth/logout', { refreshToken: doctor.session.tokens.refreshToken })).status).toBeLessThan(300);
    expect(await stream.waitForEnd(loggedOutAt, 2000)).toBeLessThan(1000);
  });

  it('resumes after Last-Event-ID with exactly the missed notifications, then the live ones', async () => {
    const doctor = await practitionerUser(t.http, admin);
    const first = await openNotificationStream(t.baseUrl, doctor.session.tokens.accessToken);
    const seen = await requestAccessFrom(doctor);
    await first.waitFor((n) => n.responsible === seen, 5000);
    const lastEventId = first.ids[0]!;
    await first.close();

    const missed = [await requestAccessFrom(doctor), await requestAccessFrom(doctor)];
    const resumed = await openNotificationStream(t.baseUrl, { ticket: await ticketFor(doctor.session) }, { lastEventId });
    expect(resumed.status).toBe(200);
    await resumed.waitFor((n) => n.responsible === missed[1], 5000);
    const live = await requestAccessFrom(doctor);
    await resumed.waitFor((n) => n.responsible === live, 5000);
    await sleep(200);
    expect(resumed.events.map((n) => n.responsible)).toEqual([...missed, live]);
    const ids = resumed.ids.map(Number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBeGreaterThan(Number(lastEventId));
    await resumed.close();

    // The query parameter does the same for a new EventSource, which cannot send the header.
    const byQuery = await openNotificationStream(
      t.baseUrl,
      { ticket: await ticketFor(doctor.session) },
      { lastEventId, lastEventIdInQuery: true },
    );
    await byQuery.waitFor((n) => n.responsible === live, 5000);
    expect(byQuery.events.map((n) => n.responsible)).toEqual([...missed, live]);
    await byQuery.close();
  });

  it('refuses a malformed Last-Event-ID with 400', async () => {
    const doctor = await practitionerUser(t.http, admin);
    for (const bad of ['abc', '-1', '1'.repeat(40)]) {
      const response = await doctor.session.get('/api/v1/notifications/stream', { headers: { 'last-event-id': bad } });
      expect([bad, response.status, response.body.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });

  it('never writes a ticket to the logs', async () => {
    await sleep(700); // the log buffer flushes every 500 ms
    expect(issued.length).toBeGreaterThan(3);
    const logs = t.logText();
    expect(logs).toContain('/api/v1/notifications/stream');
    for (const ticket of issued) expect(logs).not.toContain(ticket);
  });
});
