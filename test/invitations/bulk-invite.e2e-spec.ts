import { seedPatientsWithEmails } from '../support/bulk-patients';
import { createPatient, createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { publicKeyHex } from '../support/keys';
import { lineValue, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a job until it is DONE; returns its last answer and every answer seen while it ran. */
async function untilDone(client: HttpClient, location: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const seen: any[] = [];
  for (;;) {
    const response = await client.get(location);
    expect(response.status).toBe(200);
    seen.push(response.body);
    if (response.body.status === 'DONE') return { job: response.body, seen };
    if (Date.now() > deadline)
      throw new Error(`job not done within ${timeoutMs} ms: ${JSON.stringify({ ...response.body, skipped: undefined })}`);
    await sleep(100);
  }
}

async function waitForRecipients(mail: TestMailServer, emails: string[], timeoutMs: number): Promise<number> {
  const wanted = new Set(emails.map((email) => email.toLowerCase()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arrived = new Set(mail.recipients.filter((to) => wanted.has(to))).size;
    if (arrived === wanted.size || Date.now() > deadline) return arrived;
    await sleep(50);
  }
}

describe('Bulk patient invitations', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, LOG_LEVEL: 'warn' } });
    admin = await loginAsAdmin(t.http);
    doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('invites 120 patients in one job and has every message in the mailbox within 20 s', async () => {
    const { ids, emails } = await seedPatientsWithEmails(doctor.client, doctor.practitioner.id, t.database.url, 120);
    const started = Date.now();
    const response = await doctor.client.post('/api/v1/patients/invite', { patientIds: ids, solutionName: 'Molière Health' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.any(String), status: 'RUNNING' });
    expect(response.headers.get('location')).toBe(`/api/v1/invitation-jobs/${response.body.id}`);

    const { job } = await untilDone(doctor.client, response.headers.get('location')!, 20_000);
    expect(job).toMatchObject({ status: 'DONE', total: 120, invited: 120, skippedCount: 0, skipped: [], finished: expect.any(Number) });
    const arrived = await waitForRecipients(mail, emails, Math.max(0, started + 20_000 - Date.now()));
    expect(arrived).toBe(120);
    expect(Date.now() - started).toBeLessThan(20_000);

    // Each message is the single invite's: the patient's login and a token that activates the account.
    const [message] = mail.to(emails[7]);
    expect(message.subject).toBe('Your Molière Health account is ready');
    expect(lineValue(message.text, 'Login')).toBe(emails[7]);
    const users = await sql(t.database.url, `SELECT status, patient_id FROM users WHERE patient_id = ANY($1::uuid[])`, [ids]);
    expect(users).toHaveLength(120);
    expect(new Set(users.map((u) => u.status))).toEqual(new Set(['REGISTERING']));
  }, 60_000);

  it("skips, with the single invite's code, a patient it cannot read, one without email, one already invited, and invites the rest", async () => {
    const other = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
    const unreadable = await createPatient(other.client, { email: `${unique('p')}@moliere.fr` });
    const missing = '4b1f2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    const noEmail = await createPatient(doctor.client, { mobile: '+32470111222' });
    const pending = await createPatient(doctor.client, { email: `${unique('p')}@moliere.fr` });
    expect((await doctor.client.post(`/api/v1/patients/${pending.id}/invite`, {})).status).toBe(201);
    const goodEmail = `${unique('p')}@moliere.fr`;
    const good = await createPatient(doctor.client, { email: goodEmail });

    const response = await doctor.client.post('/api/v1/patients/invite', {
      patientIds: [unreadable.id, missing, noEmail.id, pending.id, good.id, good.id.toUpperCase()],
      channel: 'email',
    });
    expect(response.status).toBe(202);
    const { job } = await untilDone(doctor.client, response.headers.get('location')!, 20_000);
    expect(job).toMatchObject({ total: 5, invited: 1, skippedCount: 4 });
    expect(job.skipped).toEqual([
      { patientId: unreadable.id, code: 'PATIENT_NOT_FOUND' },
      { patientId: missing, code: 'PATIENT_NOT_FOUND' },
      { patientId: noEmail.id, code: 'PATIENT_HAS_NO_EMAIL' },
      { patientId: pending.id, code: 'PATIENT_ALREADY_HAS_USER' },
    ]);
    await mail.waitFor(goodEmail);
    // Nothing of the skipped patients was left behind: no user, no second invitation, no message.
    const users = await sql(t.database.url, `SELECT patient_id FROM users WHERE patient_id = ANY($1::uuid[])`, [
      [unreadable.id, noEmail.id, pending.id, good.id],
    ]);
    expect(users.map((u) => u.patient_id).sort()).toEqual([pending.id, good.id].sort());
    const invitations = await sql(t.database.url, `SELECT count(*)::int AS n FROM invitations WHERE profile_id = $1`, [pending.id]);
    expect(invitations[0].n).toBe(1);
    // Each skip is on the audit trail, as the job's author's, with its code.
    const trail = await sql(
      t.database.url,
      `SELECT target_id, actor_id, details->>'code' AS code FROM audit_events WHERE type = 'PATIENT_INVITATION_SKIPPED' AND details->>'jobId' = $1`,
      [response.body.id],
    );
    expect(trail.map((row) => [row.target_id, row.actor_id, row.code]).sort()).toEqual(
      job.skipped.map((skip: { patientId: string; code: string }) => [skip.patientId, doctor.user.id, skip.code]).sort(),
    );
  });

  it('invites new patients together and the rest one by one, as the single invite would: a renewal, a shared email, a taken one', async () => {
    const email = () => `${unique('p')}@moliere.fr`;
    const [fresh, shared, taken, expired] = [email(), email(), email(), email()];
    const first = await createPatient(doctor.client, { email: fresh });
    const sharingA = await createPatient(doctor.client, { email: shared });
    const sharingB = await createPatient(doctor.client, { email: shared.toUpperCase() });
    const takenPatient = await createPatient(doctor.client, { email: taken });
    await createUser(admin, { login: taken, email: null });
    // A REGISTERING user whose invitation expired: the job renews it for that user.
    const renewed = await createPatient(doctor.client, { email: expired });
    expect((await doctor.client.post(`/api/v1/patients/${renewed.id}/invite`, {})).status).toBe(201);
    const [oldMessage] = await mail.waitFor(expired);
    await sql(t.database.url, `UPDATE invitations SET expires_at = $2 WHERE profile_id = $1`, [renewed.id, Date.now() - 1]);
    const [renewedUser] = await sql(t.database.url, 'SELECT id FROM users WHERE patient_id = $1', [renewed.id]);

    const response = await doctor.client.post('/api/v1/patients/invite', {
      patientIds: [first.id, sharingA.id, sharingB.id, takenPatient.id, renewed.id],
    });
    const { job } = await untilDone(doctor.client, response.headers.get('location')!, 20_000);
    expect(job).toMatchObject({ total: 5, invited: 3, skippedCount: 2 });
    expect(job.skipped).toEqual([
      { patientId: sharingB.id, code: 'EMAIL_ALREADY_USED' },
      { patientId: takenPatient.id, code: 'EMAIL_ALREADY_USED' },
    ]);

    // A patient invited with the batch leaves the single invite's audit records: read, user, token, invitation.
    const trail = await sql(
      t.database.url,
      `SELECT a.type, a.actor_id FROM audit_events a WHERE a.type IN ('PATIENT_READ', 'USER_CREATED', 'TOKEN_CREATED', 'USER_INVITED')
         AND a.target_id IN (SELECT $2::text UNION ALL SELECT id::text FROM users WHERE patient_id = $1
                             UNION ALL SELECT id::text FROM invitations WHERE profile_id = $1)`,
      [first.id, first.id],
    );
    expect(trail.map((row) => row.type).sort()).toEqual(['PATIENT_READ', 'TOKEN_CREATED', 'USER_CREATED', 'USER_INVITED']);
    expect(new Set(trail.map((row) => row.actor_id))).toEqual(new Set([doctor.user.id]));

    // Each token activates its account; the renewed user's old token no longer does.
    const activate = (login: string, token: string) => t.http.post('/api/v1/auth/activate', { login, token, publicKey: publicKeyHex() });
    const [, renewal] = await mail.waitFor(expired, 2);
    expect(renewal.text).not.toContain(lineValue(oldMessage.text, 'Token'));
    expect((await activate(expired, lineValue(oldMessage.text, 'Token'))).status).toBe(401);
    expect((await activate(expired, lineValue(renewal.text, 'Token'))).status).toBe(200);
    const [sharedMessage] = await mail.waitFor(shared);
    expect((await activate(shared, lineValue(sharedMessage.text, 'Token'))).status).toBe(200);
    const [freshMessage] = await mail.waitFor(fresh);
    expect((await activate(fresh, lineValue(freshMessage.text, 'Token'))).status).toBe(200);
    const users = await sql(t.database.url, 'SELECT id, patient_id FROM users WHERE patient_id = ANY($1::uuid[])', [
      [first.id, sharingA.id, sharingB.id, takenPatient.id, renewed.id],
    ]);
    expect(users.map((u) => u.patient_id).sort()).toEqual([first.id, sharingA.id, renewed.id].sort());
    expect(users.find((u) => u.patient_id === renewed.id).id).toBe(renewedUser.id);
  });

  it('checks what does not depend on the patient before it answers: no job for a refused request', async () => {
    const patient = await createPatient(doctor.client, { email: `${unique('p')}@moliere.fr` });
    const refused = async (body: Record<string, unknown>) => {
      const response = await doctor.client.post('/api/v1/patients/invite', { patientIds: [patient.id], ...body });
      return [response.status, response.body.code];
    };
    expect(await refused({ loginUrl: 'https://evil.example/login' })).toEqual([400, 'REDIRECT_NOT_ALLOWED']);
    expect(await refused({ message: { text: 'Hello {{patientName}}' } })).toEqual([400, 'MESSAGE_TOKEN_MISSING']);
    expect(await refused({ message: { text: '{{token}} {{password}}' } })).toEqual([400, 'UNKNOWN_PLACEHOLDER']);
    expect(await refused({ tokenValiditySeconds: 10 ** 9 })).toEqual([400, 'INVALID_TOKEN_VALIDITY']);
    expect(await refused({ patientIds: [] })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await refused({ patientIds: ['not-a-uuid'] })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await refused({ patientIds: Array.from({ length: 10_001 }, () => patient.id) })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await refused({ surprise: true })).toEqual([400, 'VALIDATION_FAILED']);
    const jobs = await sql(t.database.url, `SELECT count(*)::int AS n FROM invitation_job_items WHERE patient_id = $1`, [patient.id]);
    expect(jobs[0].n).toBe(0);
  });

  it('shows a practitioner its own jobs, another practitioner none of them (404), a plain user nothing (403), an admin all', async () => {
    const mine = await doctor.client.post('/api/v1/patients/invite', { patientIds: [(await createPatient(doctor.client)).id] });
    const other = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
    const theirs = await other.client.post('/api/v1/patients/invite', { patientIds: [(await createPatient(other.client)).id] });
    expect([mine.status, theirs.status]).toEqual([202, 202]);
    const idsIn = async (client: HttpClient) => {
      const response = await client.get('/api/v1/invitation-jobs?limit=1000');
      expect(response.status).toBe(200);
      return response.body.rows.map((job: { id: string }) => job.id);
    };

    expect((await doctor.client.get(`/api/v1/invitation-jobs/${mine.body.id}`)).status).toBe(200);
    expect(await idsIn(doctor.client)).toContain(mine.body.id);
    expect(await idsIn(doctor.client)).not.toContain(theirs.body.id);
    const foreign = await doctor.client.get(`/api/v1/invitation-jobs/${theirs.body.id}`);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'INVITATION_JOB_NOT_FOUND']);

    const { login, password } = await createUser(admin);
    const plain = await loginAs(t.http, login, password);
    expect((await plain.get(`/api/v1/invitation-jobs/${mine.body.id}`)).status).toBe(403);
    expect((await plain.get('/api/v1/invitation-jobs')).status).toBe(403);
    expect((await plain.post('/api/v1/patients/invite', { patientIds: [theirs.body.id] })).status).toBe(403);

    expect((await admin.get(`/api/v1/invitation-jobs/${theirs.body.id}`)).status).toBe(200);
    expect(await idsIn(admin)).toEqual(expect.arrayContaining([mine.body.id, theirs.body.id]));
    // Keyset pages, newest first, each job once.
    const first = await admin.get('/api/v1/invitation-jobs?limit=1');
    const second = await admin.get(`/api/v1/invitation-jobs?limit=1&cursor=${first.body.nextCursor}`);
    expect(first.body.rows).toHaveLength(1);
    expect(second.body.rows[0].id).not.toBe(first.body.rows[0].id);
    expect(second.body.rows[0].created).toBeLessThanOrEqual(first.body.rows[0].created);
  });

  it("fills a custom message's placeholders, escapes them in html, and keeps the default text out", async () => {
    const email = `${unique('eve')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email }, { firstName: '<b>Eve</b>', lastName: 'Poquelin\nToken: FAKE' });
    const message = {
      subject: 'Welcome to {{solutionName}}, {{patientName}}',
      text: 'Dear {{patientName}},\n{{practitionerName}} invites you.\nCode: {{token}}\nUser: {{login}}\nGo: {{loginUrl}}',
      html: '<p>Dear {{patientName}}</p><p>Code: <code>{{token}}</code></p><a href="{{loginUrl}}">{{solutionName}}</a>',
    };
    const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {
      message,
      solutionName: 'A & B',
      loginUrl: 'https://app.example/login?x=1&y=2',
    });
    expect(response.status).toBe(201);
    const [received] = await mail.waitFor(email);
    expect(received.subject).toBe('Welcome to A & B, <b>Eve</b> Poquelin Token: FAKE');
    const code = /^Code: (\S+)$/m.exec(received.text)![1];
    expect(received.text.trim()).toBe(
      `Dear <b>Eve</b> Poquelin Token: FAKE,\nHippo Crates invites you.\nCode: ${code}\nUser: ${email}\nGo: https://app.example/login?x=1&y=2`,
    );
    expect(received.html).toBe(
      `<p>Dear &lt;b&gt;Eve&lt;/b&gt; Poquelin Token: FAKE</p><p>Code: <code>${code}</code></p><a href="https://app.example/login?x=1&amp;y=2">A &amp; B</a>`,
    );
    expect(received.text).not.toMatch(/^Login:/m);
    // The token in the custom message activates the account, as the default one does.
    const activated = await t.http.post('/api/v1/auth/activate', { login: email, token: code, publicKey: publicKeyHex() });
    expect(activated.status).toBe(200);

    const refused = await doctor.client.post(`/api/v1/patients/${(await createPatient(doctor.client)).id}/invite`, {
      message: { html: '<p>no token</p>' },
    });
    expect([refused.status, refused.body.code]).toEqual([400, 'MESSAGE_TOKEN_MISSING']);
    expect(refused.body.errors).toEqual([{ field: 'message.html', message: 'must carry {{token}}' }]);
  });

  it('sends the custom message again, with a new token, when the invitation is resent', async () => {
    const email = `${unique('eve')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email });
    const message = { subject: 'Hello {{patientName}}', text: 'Your code: {{token}}' };
    expect((await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { message })).status).toBe(201);
    const [first] = await mail.waitFor(email);
    const [invitation] = (await doctor.client.get(`/api/v1/invitations?email=${encodeURIComponent(email)}`)).body.rows;
    expect((await doctor.client.post(`/api/v1/invitations/${invitation.id}/resend`)).status).toBe(200);
    const [, second] = await mail.waitFor(email, 2);
    for (const received of [first, second]) {
      expect(received.subject).toBe('Hello Argan Poquelin');
      expect(received.text.trim()).toMatch(/^Your code: \S+$/);
    }
    expect(second.text).not.toBe(first.text);
  });
});

describe('Bulk patient invitations: 10,000 patients in one job', () => {
  const mail = new TestMailServer({ countOnly: true });
  let t: TestApp;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('invites every one exactly once and delivers every message once, showing progress while it runs', async () => {
    const admin = await loginAsAdmin(t.http);
    const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
    const { ids, emails } = await seedPatientsWithEmails(doctor.client, doctor.practitioner.id, t.database.url, 10_000);
    const started = Date.now();
    const response = await doctor.client.post('/api/v1/patients/invite', { patientIds: ids });
    expect(response.status).toBe(202);
    const { job, seen } = await untilDone(doctor.client, response.headers.get('location')!, 240_000);
    const createdInMs = Date.now() - started;
    expect(job).toMatchObject({ total: 10_000, invited: 10_000, skippedCount: 0 });
    expect(seen.some((answer) => answer.status === 'RUNNING' && answer.invited > 0 && answer.invited < 10_000)).toBe(true);

    const arrived = await waitForRecipients(mail, emails, 240_000);
    const deliveredInMs = Date.now() - started;
    await sleep(500); // time for a duplicate to show up, if there were one
    expect(arrived).toBe(10_000);
    expect(mail.recipients.filter((to) => to.startsWith(emails[0].split('-')[0]))).toHaveLength(10_000);
    const [counts] = await sql(
      t.database.url,
      `SELECT (SELECT count(*) FROM users WHERE patient_id = ANY($1::uuid[]) AND status = 'REGISTERING')::int AS users,
              (SELECT count(DISTINCT profile_id) FROM invitations WHERE profile_id = ANY($1::uuid[]))::int AS patients,
              (SELECT count(*) FROM invitations WHERE profile_id = ANY($1::uuid[]))::int AS invitations,
              (SELECT count(*) FROM outbox_messages m JOIN invitations i ON i.message_id = m.id
                WHERE i.profile_id = ANY($1::uuid[]) AND m.status = 'SENT')::int AS sent`,
      [ids],
    );
    expect(counts).toEqual({ users: 10_000, patients: 10_000, invitations: 10_000, sent: 10_000 });
    process.stdout.write(`10,000 patients: all invited after ${createdInMs} ms, all delivered after ${deliveredInMs} ms\n`);
  }, 600_000);
});
