import { spawnApp } from '../support/app-process';
import { seedPatientsWithEmails } from '../support/bulk-patients';
import { createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { figures } from '../support/figures';
import { TestMailServer } from '../support/mail-server';
import { loginAsAdmin, unique } from '../support/session';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PATIENTS = 5000;

/**
 * A bulk invitation job survives its instance: the app process (main.ts, a process of its own) is killed with
 * SIGKILL while the job runs and messages leave, then started again on the same database. The job must finish
 * with every patient invited once (one invitation, one REGISTERING user) and every message delivered once.
 */
describe('Bulk invitation job across a crash', () => {
  it('finishes after a SIGKILL and a restart with every patient invited once and every message delivered once', async () => {
    const mail = new TestMailServer({ countOnly: true });
    await mail.start();
    const database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, SMTP_URL: mail.url, LOG_LEVEL: 'warn' };
    let app = await spawnApp({ env });
    try {
      await app.ready();
      const admin = await loginAsAdmin(app.http);
      const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
      const { ids, emails } = await seedPatientsWithEmails(doctor.client, doctor.practitioner.id, database.url, PATIENTS);
      const started = await doctor.client.post('/api/v1/patients/invite', { patientIds: ids });
      expect(started.status).toBe(202);
      const location = started.headers.get('location')!;

      // Mid-way: some batches committed and some of their messages delivered, more patients to go.
      const deadline = Date.now() + 60_000;
      while ((await doctor.client.get(location)).body.invited < 100 || mail.recipients.length < 20) {
        if (Date.now() > deadline) throw new Error('the job made no progress');
        await sleep(20);
      }
      // The relay stops answering new sends, so that no message is in the relay's hands but not yet recorded as sent
      // when the process dies (that window, between the relay's answer and the commit, is at-least-once by nature).
      mail.hold();
      await sleep(500);
      await app.crash();
      expect(await app.exited).toBeNull();

      const [atCrash] = await sql(database.url, `SELECT status, next_position, total FROM invitation_jobs WHERE id = $1`, [
        started.body.id,
      ]);
      const deliveredBeforeCrash = mail.recipients.length;
      expect(atCrash.status).toBe('RUNNING');
      expect(atCrash.next_position).toBeGreaterThan(0);
      expect(atCrash.next_position).toBeLessThan(PATIENTS);

      mail.release();
      app = await spawnApp({ env });
      await app.ready();
      const again = await loginAsAdmin(app.http);
      const finishBy = Date.now() + 120_000;
      let job = (await again.get(location)).body;
      while (job.status !== 'DONE' && Date.now() < finishBy) {
        await sleep(100);
        job = (await again.get(location)).body;
      }
      const wanted = new Set(emails);
      while (new Set(mail.recipients.filter((to) => wanted.has(to))).size < PATIENTS && Date.now() < finishBy) await sleep(50);
      await sleep(1000); // time for a duplicate to show up, if there were one

      const copies = new Map<string, number>();
      for (const to of mail.recipients) if (wanted.has(to)) copies.set(to, (copies.get(to) ?? 0) + 1);
      const rows = await sql(
        database.url,
        `SELECT p.id,
                (SELECT count(*) FROM invitations i WHERE i.profile_id = p.id)::int AS invitations,
                (SELECT count(*) FROM users u WHERE u.patient_id = p.id AND u.status = 'REGISTERING')::int AS users
         FROM unnest($1::uuid[]) AS p(id)`,
        [ids],
      );
      const invitedOnce = rows.filter((row) => row.invitations === 1 && row.users === 1).length;
      const deliveredOnce = emails.filter((email) => copies.get(email) === 1).length;
      const duplicates = [...copies.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
      figures.record('faults', `bulk invitation job (${PATIENTS} patients), app killed (SIGKILL) mid-way, restarted`, {
        patients: PATIENTS,
        invitedBeforeCrash: atCrash.next_position,
        deliveredBeforeCrash,
        invitedOnce,
        deliveredOnce,
        duplicates,
        // Patients not invited exactly once, messages never delivered, and extra copies.
        lost: PATIENTS - invitedOnce + (PATIENTS - copies.size) + duplicates,
      });
      expect(job).toMatchObject({ status: 'DONE', total: PATIENTS, invited: PATIENTS, skippedCount: 0 });
      expect(invitedOnce).toBe(PATIENTS);
      expect(deliveredOnce).toBe(PATIENTS);
      expect(duplicates).toBe(0);
    } finally {
      await app.crash();
      await dropTestDatabase(database.name);
      await mail.stop();
    }
  }, 240_000);
});
