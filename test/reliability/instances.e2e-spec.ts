import { authenticator } from 'otplib';
import { CREDENTIAL_LIFECYCLE, CredentialEvent } from '../../libs/identity/src/domain/credential-lifecycle';
import { AppProcess, spawnApp } from '../support/app-process';
import { createPatient, createPractitionerUser } from '../support/care';
import { openNotificationStream } from '../support/event-stream';
import { figures } from '../support/figures';
import { publicKeyHex } from '../support/keys';
import { HttpClient, HttpResponse } from '../support/http';
import { lineValue, linkIn, TestMailServer } from '../support/mail-server';
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
    const env = {
      DATABASE_URL: database.url,
      SMTP_URL: mail.url,
      LOCKOUT_MAX_FAILURES: '3',
      LOCKOUT_BASE_SECONDS: '60',
      // The lifecycle tests mail a user two reset links in a row.
      PASSWORD_RESET_MIN_INTERVAL_SECONDS: '0',
    };
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

  describe('credential lifecycle: what an event on one instance ends is refused on the other within a second', () => {
    type Session = HttpClient & { tokens: any };
    /** The user an event is about and the credentials it holds, all opened on instance one. */
    interface Subject {
      admin: Session;
      user: any;
      password: string;
      /** The session the user's own events are raised through (for an admin's event, one more session of the user). */
      caller: Session;
    }
    type Credential = 'callerSession' | 'otherSession' | 'loginToken' | 'resetLink';
    interface Case {
      name: string;
      event: CredentialEvent;
      /** Raises the event on instance one. */
      raise(subject: Subject): Promise<HttpResponse>;
    }
    const NEW_PASSWORD = 'a brand new horse battery staple';
    const POLL_MS = 20;
    const current = async ({ admin, user }: Subject) => (await admin.get(`/api/v1/users/${user.id}`)).body;

    /** Asks instance one for a reset link and returns the ticket of the mail it sends. */
    async function resetTicket(email: string): Promise<string> {
      const before = mail.to(email).length;
      expect((await one.http.post('/api/v1/auth/password-reset', { email })).status).toBe(202);
      const mails = await mail.waitFor(email, before + 1);
      return new URL(linkIn(mails[mails.length - 1].text, '/password-reset')).hash.replace('#ticket=', '');
    }

    const cases: Case[] = [
      {
        name: 'logout',
        event: 'logout',
        raise: ({ caller }) => one.http.post('/api/v1/auth/logout', { refreshToken: caller.tokens.refreshToken }),
      },
      {
        name: 'password changed by the user',
        event: 'password-changed',
        raise: async (s) =>
          s.caller.put(`/api/v1/users/${s.user.id}`, { ...(await current(s)), passwordHash: NEW_PASSWORD, currentPassword: s.password }),
      },
      {
        name: 'password set by an admin',
        event: 'password-set-by-admin',
        raise: async (s) => s.admin.put(`/api/v1/users/${s.user.id}`, { ...(await current(s)), passwordHash: NEW_PASSWORD }),
      },
      {
        name: 'password reset confirmed',
        event: 'password-reset',
        raise: async ({ user }) =>
          one.http.post('/api/v1/auth/password-reset/confirm', { ticket: await resetTicket(user.email), password: NEW_PASSWORD }),
      },
      {
        name: '2FA enabled',
        event: 'two-factor-changed',
        raise: async ({ caller, password }) => {
          const setup = await caller.post('/api/v1/users/current/2fa/setup', { currentPassword: password });
          expect(setup.status).toBe(201);
          return caller.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(setup.body.secret) });
        },
      },
      {
        name: 'user disabled',
        event: 'user-changed',
        raise: async (s) => s.admin.put(`/api/v1/users/${s.user.id}`, { ...(await current(s)), status: 'DISABLED' }),
      },
      {
        name: 'roles changed',
        event: 'user-changed',
        raise: async (s) => s.admin.put(`/api/v1/users/${s.user.id}`, { ...(await current(s)), roles: ['AUDITOR'] }),
      },
      { name: 'user deleted', event: 'user-changed', raise: ({ admin, user }) => admin.delete(`/api/v1/users/${user.id}`) },
      {
        name: 'email changed by the user',
        event: 'email-changed',
        raise: async (s) =>
          s.caller.put(`/api/v1/users/${s.user.id}`, {
            ...(await current(s)),
            email: `moved-${s.user.id}@hospital.care`,
            currentPassword: s.password,
          }),
      },
    ];

    /** What the event ends, from the contract's table. */
    function endsOf(event: CredentialEvent): Record<Credential, boolean> {
      const ends = CREDENTIAL_LIFECYCLE[event];
      return {
        callerSession: ends.sessions === 'this' || ends.sessions === 'all',
        otherSession: ends.sessions === 'others' || ends.sessions === 'all',
        loginToken: ends.loginTokens,
        resetLink: ends.resetTickets,
      };
    }

    /**
     * Polls every probe every POLL_MS until each says its credential is refused, and answers after how many ms
     * (from `since`) each refusal came; a credential still accepted after `timeoutMs` has no time.
     */
    async function refusalTimes(
      probes: Partial<Record<Credential, () => Promise<boolean>>>,
      since: number,
      timeoutMs = 2000,
    ): Promise<Partial<Record<Credential, number>>> {
      const times: Partial<Record<Credential, number>> = {};
      let pending = Object.keys(probes) as Credential[];
      while (pending.length && Date.now() - since < timeoutMs) {
        // Each refusal is timed when its own answer arrived.
        const refused = await Promise.all(
          pending.map(async (credential) => {
            const isRefused = await probes[credential]!();
            if (isRefused) times[credential] = Date.now() - since;
            return isRefused;
          }),
        );
        pending = pending.filter((_, i) => !refused[i]);
        if (pending.length) await sleep(POLL_MS);
      }
      return times;
    }

    it.each(cases)('$name', async ({ name, event, raise }) => {
      const admin = await loginAsAdmin(one.http);
      const { user, login, password } = await createUser(admin);
      const caller = await loginAs(one.http, login, password);
      const other = await loginAs(one.http, login, password);
      const minted = await caller.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 });
      expect(minted.status).toBe(201);
      const loginToken: string = minted.body.token;
      const ends = endsOf(event);
      // Mailed before the event (and before the link a confirm uses): the event must end it.
      const otherResetTicket = ends.resetLink ? await resetTicket(user.email) : undefined;

      // Instance two has both sessions cached, and the login token works there.
      const sessionsOnTwo = { callerSession: two.http.as(caller.tokens.accessToken), otherSession: two.http.as(other.tokens.accessToken) };
      const refreshTokens = { callerSession: caller.tokens.refreshToken as string, otherSession: other.tokens.refreshToken as string };
      expect((await sessionsOnTwo.callerSession.get('/api/v1/users/current')).status).toBe(200);
      expect((await sessionsOnTwo.otherSession.get('/api/v1/users/current')).status).toBe(200);
      expect((await two.http.post('/api/v1/auth/login', { login, password: loginToken })).status).toBe(200);

      const raisedAt = Date.now();
      const raised = await raise({ admin, user, password, caller });
      const answeredAt = Date.now();
      if (raised.status >= 300) throw new Error(`${name} answered ${raised.status} ${raised.text}`);

      const probes: Partial<Record<Credential, () => Promise<boolean>>> = {};
      for (const session of ['callerSession', 'otherSession'] as const)
        if (ends[session]) probes[session] = async () => (await sessionsOnTwo[session].get('/api/v1/users/current')).status === 401;
      // Refused as an unknown secret: not TOTP_REQUIRED or ACCOUNT_NOT_ACTIVE, which a live token of a user who now has
      // 2FA or is disabled would get (a failure counts towards the lockout: one per user here).
      if (ends.loginToken)
        probes.loginToken = async () => {
          const answer = await two.http.post('/api/v1/auth/login', { login, password: loginToken });
          return answer.status === 401 && answer.body.code === 'INVALID_CREDENTIALS';
        };
      if (otherResetTicket)
        probes.resetLink = async () => {
          const answer = await two.http.post('/api/v1/auth/password-reset/confirm', {
            ticket: otherResetTicket,
            password: `${NEW_PASSWORD} 2`,
          });
          // A link that still works is used up by this probe: fail now rather than read the next answer (410) as a refusal.
          if (answer.status < 300) throw new Error(`a reset link mailed before "${name}" still set the password`);
          return answer.status >= 400 && answer.status < 500;
        };
      const times = await refusalTimes(probes, answeredAt);

      // What the event keeps still works on instance two (after the ended credentials were refused there).
      const kept: Credential[] = [];
      for (const session of ['callerSession', 'otherSession'] as const) {
        const refresh = await two.http.post('/api/v1/auth/refresh', { refreshToken: refreshTokens[session] });
        if (ends[session]) {
          expect(refresh.status).toBe(401);
        } else {
          kept.push(session);
          expect((await sessionsOnTwo[session].get('/api/v1/users/current')).status).toBe(200);
          expect(refresh.status).toBe(200);
        }
      }
      if (!ends.loginToken) {
        kept.push('loginToken');
        expect((await two.http.post('/api/v1/auth/login', { login, password: loginToken })).status).toBe(200);
      }

      figures.record('instances', `credential lifecycle: ${name}`, {
        lifecycleEvent: event,
        eventAnsweredMs: answeredAt - raisedAt,
        ...Object.fromEntries(Object.entries(times).map(([credential, ms]) => [`${credential}RefusedMs`, ms])),
        kept: kept.join(' '),
        // Credentials the event must end that were still accepted on instance two after the poll.
        lost: Object.keys(probes).length - Object.keys(times).length,
      });
      const expected = Object.fromEntries(Object.keys(probes).map((credential) => [credential, expect.any(Number)]));
      expect(times).toEqual(expected);
      for (const ms of Object.values(times)) expect(ms).toBeLessThan(1000);
    });
  });
});
