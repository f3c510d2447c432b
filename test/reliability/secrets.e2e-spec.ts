import { authenticator } from 'otplib';
import { createPatient, createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { figures } from '../support/figures';
import { HttpResponse } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { lineValue, linkIn, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * No secret anywhere it should not be: every flow that handles a password,
 * a token, a ticket or a TOTP secret runs once, then every response (status
 * line, headers and body), every log line (at the most verbose level), every
 * audit event, every mail and every row of every table is searched for each
 * secret. A secret may appear only where it is handed out (the answer or the
 * mail that issues it; the TOTP secret is kept encrypted, never in clear),
 * and no bcrypt hash appears outside the users table.
 */
interface Secret {
  name: string;
  value: string;
  /** Labels of the answers and mails that hand it out. */
  issuedIn: string[];
  /** Where at rest it must stay (a TOTP secret checks codes): `table.column`. */
  storedIn?: string;
}

const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');
const BCRYPT = /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/;

describe('Secrets stay where they belong', () => {
  const mail = new TestMailServer();
  let t: TestApp;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('never shows a password, hash, token, ticket or TOTP secret in answers, logs, audit events, mails or tables', async () => {
    const responses: { label: string; text: string }[] = [];
    const secrets: Secret[] = [];
    const secret = (name: string, value: string, ...issuedIn: string[]) => {
      expect(typeof value).toBe('string');
      expect(value.length).toBeGreaterThanOrEqual(8);
      // Two access JWTs of one session signed within the same second are the same string: one secret, handed out twice.
      const same = secrets.find((s) => s.value === value);
      if (same) same.issuedIn.push(...issuedIn);
      else secrets.push({ name, value, issuedIn });
      return value;
    };
    /** Records an answer whole: status, headers and body. */
    const call = async (label: string, request: Promise<HttpResponse>, status?: number) => {
      const response = await request;
      responses.push({
        label,
        text: `${response.status}\n${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${response.text}`,
      });
      if (status !== undefined && response.status !== status) throw new Error(`${label}: ${response.status} ${response.text}`);
      return response;
    };
    const pair = (label: string, body: { accessToken: string; refreshToken: string }) => {
      secret(`access token (${label})`, body.accessToken, label);
      secret(`refresh token (${label})`, body.refreshToken, label);
    };
    const admin = await loginAsAdmin(t.http);
    const http = t.http;

    // Users and passwords: create, read, change (by itself and by an admin), wrong and refused passwords.
    const login = unique('secret');
    const email = `${login}@hospital.care`;
    const p1 = secret('first password', `first-${unique('pw')}`);
    const created = await call('create user', admin.post('/api/v1/users', { login, email, passwordHash: p1 }), 201);
    const userId = created.body.id;
    await call('read user', admin.get(`/api/v1/users/${userId}`), 200);
    await call('list users', admin.get(`/api/v1/users?ids=${userId}`), 200);
    const wrong = secret('wrong password', `wrong-${unique('pw')}`);
    await call('wrong password', http.post('/api/v1/auth/login', { login, password: wrong }), 401);
    await call(
      'malformed login body',
      http.post('/api/v1/auth/login', undefined, { raw: `{"login":"${login}","password":"${wrong}"` }),
      400,
    );
    await call('login body with an extra field', http.post('/api/v1/auth/login', { login, password: wrong, remember: true }), 400);
    const weak = secret('refused password', `too-long-${unique('pw')}-${'z'.repeat(80)}`); // over 72 bytes: refused
    await call('weak password', admin.put(`/api/v1/users/${userId}`, { ...created.body, passwordHash: weak }), 400);

    // Sessions: login, refresh, reuse of a rotated refresh token, logout.
    const first = (await call('login', http.post('/api/v1/auth/login', { login, password: p1 }), 200)).body;
    pair('login', first);
    await call('current user, first session', http.as(first.accessToken).get('/api/v1/users/current'), 200);
    const refreshed = (await call('refresh', http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 200)).body;
    pair('refresh', refreshed);
    await call('refresh reuse', http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 401);
    await call('logout', http.post('/api/v1/auth/logout', { refreshToken: refreshed.refreshToken }), 204);
    const second = (await call('login again', http.post('/api/v1/auth/login', { login, password: p1 }), 200)).body;
    pair('login again', second);
    const self = http.as(second.accessToken);
    const current = (await call('current user', self.get('/api/v1/users/current'), 200)).body;
    const p2 = secret('password set by the user', `second-${unique('pw')}`);
    await call(
      'change own password, wrong current one',
      self.put(`/api/v1/users/${userId}`, { ...current, passwordHash: p2, currentPassword: wrong }),
      403,
    );
    await call('change own password', self.put(`/api/v1/users/${userId}`, { ...current, passwordHash: p2, currentPassword: p1 }), 200);
    const adminSet = secret('password set by an admin', `third-${unique('pw')}`);
    const afterSelf = (await admin.get(`/api/v1/users/${userId}`)).body;
    await call('admin sets password', admin.put(`/api/v1/users/${userId}`, { ...afterSelf, passwordHash: adminSet }), 200);
    const third = (await call('login with the new password', http.post('/api/v1/auth/login', { login, password: adminSet }), 200)).body;
    pair('login with the new password', third);
    const session = http.as(third.accessToken);

    // Login tokens: create, list, log in with one, revoke.
    const token = (await call('create token', session.post(`/api/v1/users/${userId}/tokens`, { validitySeconds: 600 }), 201)).body;
    secret('login token', token.token, 'create token');
    await call('list tokens', session.get(`/api/v1/users/${userId}/tokens`), 200);
    await call('user with tokens', admin.get(`/api/v1/users/${userId}`), 200);
    pair(
      'login with a token',
      (await call('login with a token', http.post('/api/v1/auth/login', { login, password: token.token }), 200)).body,
    );
    await call('revoke token', session.delete(`/api/v1/users/${userId}/tokens/${token.key}`), 204);

    // TOTP: set up, enable, log in with a code.
    const setup = (await call('totp setup', session.post('/api/v1/users/current/2fa/setup', { currentPassword: adminSet }), 201)).body;
    secrets.push({ name: 'TOTP secret', value: setup.secret, issuedIn: ['totp setup'] });
    await call('totp enable', session.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(setup.secret) }), 204);
    await call('login without totp', http.post('/api/v1/auth/login', { login, password: adminSet }), 401);
    const code = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(setup.secret);
    pair(
      'login with totp',
      (await call('login with totp', http.post('/api/v1/auth/login', { login, password: adminSet, totp: code }), 200)).body,
    );
    await call('user with totp', admin.get(`/api/v1/users/${userId}`), 200);

    // Patient invite and activation: the token comes by mail.
    const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
    const patientEmail = `${unique('argan')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email: patientEmail });
    await call(
      'invite patient',
      doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { loginUrl: 'https://app.example/login' }),
      201,
    );
    const [invitationMail] = await mail.waitFor(patientEmail);
    const inviteToken = secret('patient invitation token', lineValue(invitationMail.text, 'Token'), 'mail: patient invitation');
    const patientLogin = lineValue(invitationMail.text, 'Login');
    await call(
      'activate with a wrong token',
      http.post('/api/v1/auth/activate', { login: patientLogin, token: wrong, publicKey: publicKeyHex() }),
      401,
    );
    const activated = (
      await call(
        'activate',
        http.post('/api/v1/auth/activate', { login: patientLogin, token: inviteToken, publicKey: publicKeyHex() }),
        200,
      )
    ).body;
    pair('activate', activated);
    secret('long-lived token', activated.longLivedToken, 'activate');
    pair(
      'login with the long-lived token',
      (
        await call(
          'login with the long-lived token',
          http.post('/api/v1/auth/login', { login: patientLogin, password: activated.longLivedToken }),
          200,
        )
      ).body,
    );
    await call('notifications', doctor.client.get('/api/v1/notifications'), 200);

    // Profile invite, resend, inspect and accept: the ticket comes in the answer and by mail.
    const inviteeEmail = `${unique('jon')}@winterfell.example`;
    const invitation = (
      await call(
        'profile invite',
        admin.post('/api/v1/invitations', {
          email: inviteeEmail,
          firstName: 'Jon',
          resource: { resourceType: 'Practitioner' },
          sendEmail: true,
        }),
        201,
      )
    ).body;
    const [profileMail] = await mail.waitFor(inviteeEmail);
    secret('invitation ticket', ticketOf(invitation.invitationUrl), 'profile invite', 'mail: profile invitation');
    expect(linkIn(profileMail.text, '/invitations/accept')).toBe(invitation.invitationUrl);
    const resent = (await call('resend invitation', admin.post(`/api/v1/invitations/${invitation.id}/resend`), 200)).body;
    const [, resentMail] = await mail.waitFor(inviteeEmail, 2);
    const ticket = secret('resent invitation ticket', ticketOf(resent.invitationUrl), 'resend invitation', 'mail: resent invitation');
    expect(linkIn(resentMail.text, '/invitations/accept')).toBe(resent.invitationUrl);
    await call('list invitations', admin.get('/api/v1/invitations?limit=100'), 200);
    await call('inspect ticket', http.post('/api/v1/invitations/inspect', { ticket }), 200);
    const chosen = secret('password chosen on invitation', `invited-${unique('pw')}`);
    pair(
      'accept invitation',
      (await call('accept invitation', http.post('/api/v1/invitations/accept', { ticket, password: chosen }), 200)).body,
    );
    await call('accept again', http.post('/api/v1/invitations/accept', { ticket, password: chosen }), 410);

    // Password reset and confirm: the ticket comes by mail.
    await call('password reset', http.post('/api/v1/auth/password-reset', { email }), 202);
    const [resetMail] = await mail.waitFor(email);
    const resetTicket = secret('reset ticket', ticketOf(linkIn(resetMail.text, '/password-reset')), 'mail: password reset');
    await call('inspect reset ticket', http.post('/api/v1/invitations/inspect', { ticket: resetTicket }), 200);
    const reset = secret('password chosen on reset', `reset-${unique('pw')}`);
    await call('confirm reset', http.post('/api/v1/auth/password-reset/confirm', { ticket: resetTicket, password: reset }), 204);
    await call('confirm reset again', http.post('/api/v1/auth/password-reset/confirm', { ticket: resetTicket, password: reset }), 410);
    // The new password is taken: the answer asks for the TOTP code that is still on.
    expect((await call('login after reset', http.post('/api/v1/auth/login', { login, password: reset }), 401)).body.code).toBe(
      'TOTP_REQUIRED',
    );

    // Now search everything.
    const audit: unknown[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
      const answer: HttpResponse = await admin.get(`/api/v1/audit-events?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(answer.status).toBe(200);
      audit.push(...answer.body.rows);
      cursor = answer.body.nextCursor;
    }
    const mails: { label: string; text: string }[] = mail.mails.map((m) => ({
      label:
        m === invitationMail
          ? 'mail: patient invitation'
          : m === profileMail
            ? 'mail: profile invitation'
            : m === resentMail
              ? 'mail: resent invitation'
              : m === resetMail
                ? 'mail: password reset'
                : `mail to ${m.to}`,
      text: `${m.subject}\n${m.text}\n${m.html}`,
    }));
    // Every row of every table as JSON, but for the two columns that must hold a secret's check value (searched on their own below).
    const held = { 'users.password_hash': '', 'users.secret': '' };
    const rows: { label: string; text: string }[] = [];
    const tables = await sql<{ table_name: string }>(
      t.database.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name: table } of tables) {
      const dump = await sql<{ row: string }>(
        t.database.url,
        `SELECT (to_jsonb(t) - 'password_hash' - 'secret')::text AS row FROM "${table}" t`,
      );
      rows.push({ label: table, text: dump.map((r) => r.row).join('\n') });
    }
    const users = await sql<{ password_hash: string | null; secret: string | null }>(
      t.database.url,
      'SELECT password_hash, secret FROM users',
    );
    held['users.password_hash'] = users.map((u) => u.password_hash ?? '').join('\n');
    held['users.secret'] = users.map((u) => u.secret ?? '').join('\n');
    const logText = t.logText();
    const auditText = JSON.stringify(audit);

    const leaks: string[] = [];
    for (const { name, value, issuedIn, storedIn } of secrets) {
      for (const { label, text } of [...responses, ...mails])
        if (text.includes(value) && !issuedIn.includes(label))
          leaks.push(`${name} in ${label.startsWith('mail') ? label : `answer "${label}"`}`);
      for (const { label, text } of rows) if (text.includes(value)) leaks.push(`${name} in table ${label}`);
      for (const [column, text] of Object.entries(held))
        if (text.includes(value) && column !== storedIn) leaks.push(`${name} in column ${column}`);
      if (logText.includes(value)) leaks.push(`${name} in the logs`);
      if (auditText.includes(value)) leaks.push(`${name} in the audit trail`);
    }
    for (const { label, text } of [...responses, ...mails]) if (BCRYPT.test(text)) leaks.push(`a bcrypt hash in ${label}`);
    for (const { label, text } of rows)
      if (BCRYPT.test(text) && label !== 'users.password_hash') leaks.push(`a bcrypt hash in column ${label}`);
    if (BCRYPT.test(logText)) leaks.push('a bcrypt hash in the logs');
    if (BCRYPT.test(auditText)) leaks.push('a bcrypt hash in the audit trail');

    figures.record('access', 'secrets (every flow, answers, logs, audit, mails, tables)', {
      secrets: secrets.length,
      answers: responses.length,
      logLines: t.logs.length,
      auditEvents: audit.length,
      mails: mails.length,
      tables: rows.length,
      leaks: leaks.length,
    });
    expect(leaks).toEqual([]);
    // The search had something to search: each secret was really handed out where it says, and the stores are not empty.
    for (const { name, value, issuedIn } of secrets)
      for (const label of issuedIn)
        expect([name, [...responses, ...mails].find((r) => r.label === label)?.text.includes(value)]).toEqual([name, true]);
    expect(held['users.password_hash']).toMatch(BCRYPT);
    // Encrypted at rest (AES-256-GCM under DATA_ENCRYPTION_KEY): the column holds a sealed value, not the secret.
    expect(held['users.secret']).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/m);
    expect(held['users.secret']).not.toContain(setup.secret);
    expect(rows.find((r) => r.label === 'users')?.text).toContain(login);
    expect(audit.length).toBeGreaterThan(30);
    expect(t.logs.length).toBeGreaterThan(50);
    expect(secrets.length).toBeGreaterThan(25);
  });

  it('encrypts, at start-up, TOTP secrets a database holds in clear; they still check codes; another key stops start-up', async () => {
    const first = await startTestApp();
    try {
      const admin = await loginAsAdmin(first.http);
      const enrolled = await createUser(admin);
      const enrolledSession = await loginAs(first.http, enrolled.login, enrolled.password);
      const secret = (await enrolledSession.post('/api/v1/users/current/2fa/setup', { currentPassword: enrolled.password })).body.secret;
      expect((await enrolledSession.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);
      const enrolling = await createUser(admin);
      const enrollingSession = await loginAs(first.http, enrolling.login, enrolling.password);
      const pending = (await enrollingSession.post('/api/v1/users/current/2fa/setup', { currentPassword: enrolling.password })).body.secret;
      await first.app.close();
      // As a database from before encryption at rest holds them: in clear.
      await sql(first.database.url, 'UPDATE users SET secret = $2 WHERE id = $1', [enrolled.user.id, secret]);
      await sql(first.database.url, 'UPDATE users SET pending_secret = $2 WHERE id = $1', [enrolling.user.id, pending]);

      const second = await startTestApp({ database: first.database });
      try {
        const [held] = await sql(first.database.url, 'SELECT secret FROM users WHERE id = $1', [enrolled.user.id]);
        const [half] = await sql(first.database.url, 'SELECT pending_secret FROM users WHERE id = $1', [enrolling.user.id]);
        expect(held.secret).toMatch(/^enc:v1:/);
        expect(half.pending_secret).toMatch(/^enc:v1:/);
        expect(JSON.stringify([held, half])).not.toContain(secret);
        expect(JSON.stringify([held, half])).not.toContain(pending);
        // The enable step used this time step's code up; the next one is accepted.
        const code = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
        const login = await second.http.post('/api/v1/auth/login', { login: enrolled.login, password: enrolled.password, totp: code });
        expect(login.status).toBe(200);
        const again = await loginAs(second.http, enrolling.login, enrolling.password);
        expect((await again.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(pending) })).status).toBe(204);
      } finally {
        await second.app.close();
      }
      const refused = await startTestApp({ database: first.database, env: { DATA_ENCRYPTION_KEY: 'ee'.repeat(32) } }).then(
        async (app) => {
          await app.app.close();
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(refused).toContain('DATA_ENCRYPTION_KEY does not open the stored TOTP secrets');
    } finally {
      await first.close();
    }
  });

  it('writes no email of a path into the request log: /users/by-email/[redacted], however the path is spelt', async () => {
    const admin = await loginAsAdmin(t.http);
    const login = unique('logged');
    const email = `${login}@hospital.care`;
    expect((await admin.post('/api/v1/users', { login, email, passwordHash: 'a fine long password' })).status).toBe(201);
    const from = t.logs.length;
    expect((await admin.get(`/api/v1/users/by-email/${encodeURIComponent(email)}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/users/by-email/${email}`)).status).toBe(200);
    // The router decodes the path: the same route, spelt otherwise.
    expect((await admin.get(`/api/v1/users/by-%65mail/${email.replace('@', '%40')}`)).status).toBe(200);
    expect((await admin.get(`/api/v1/users/by-email/nobody-${email}`)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = t.logs.slice(from).filter((line) => line.msg === 'request completed');
    expect(lines.map((line) => (line.req as { url: string }).url)).toEqual(Array(4).fill('/api/v1/users/by-email/[redacted]'));
    const logged = JSON.stringify(t.logs.slice(from)).toLowerCase();
    for (const spelling of [login, encodeURIComponent(email)]) expect(logged).not.toContain(spelling.toLowerCase());
  });
});
