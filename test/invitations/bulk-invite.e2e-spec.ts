import { seedPatientsWithEmails } from '../support/bulk-patients';
import { createPatient, createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
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

  it('invites 120 patients in one job and has every message in the mailbox within 20 s, progress visible meanwhile', async () => {
    const { ids, emails } = await seedPatientsWithEmails(doctor.client, doctor.practitioner.id, t.database.url, 120);
    const started = Date.now();
    const response = await doctor.client.post('/api/v1/patients/invite', { patientIds: ids, solutionName: 'Molière Health' });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ id: expect.any(String), status: 'RUNNING', total: 120 });
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
});
