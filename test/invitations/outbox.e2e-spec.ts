import { spawnApp } from '../support/app-process';
import { sql } from '../support/db';
import { figures } from '../support/figures';
import { HttpClient } from '../support/http';
import { TestMailServer } from '../support/mail-server';
import { loginAsAdmin, unique } from '../support/session';
import { startTestApp } from '../support/test-app';
import { createTestDatabase, dropTestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inviteBody = (email: string) => ({ email, resource: { resourceType: 'Patient' }, sendEmail: true });

describe('Outbox: no message is lost', () => {
  it('keeps messages queued while the relay is down and delivers each exactly once when it is back', async () => {
    const mail = new TestMailServer();
    await mail.start();
    const port = mail.port;
    await mail.stop();
    const t = await startTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, OUTBOX_BASE_DELAY_MS: '100', OUTBOX_MAX_ATTEMPTS: '50' } });
    try {
      const admin: HttpClient = await loginAsAdmin(t.http);
      const emails = Array.from({ length: 5 }, () => `${unique('queued')}@x.org`);
      for (const email of emails) expect((await admin.post('/api/v1/invitations', inviteBody(email))).status).toBe(201);
      await new Promise((r) => setTimeout(r, 500));
      const listed = await admin.get('/api/v1/invitations?status=PENDING');
      // Exactly the five invitations, each queued: an empty list must not pass the loop below.
      expect(listed.body.rows.map((invitation: { email: string }) => invitation.email).sort()).toEqual([...emails].sort());
      for (const invitation of listed.body.rows) {
        expect(invitation.delivery.status).toBe('QUEUED');
        expect(invitation.delivery.attempts).toBeGreaterThanOrEqual(1);
        expect(invitation.delivery.lastError).toEqual(expect.any(String));
      }
      await mail.start(port);
      // A message that never comes is counted below, not thrown here, so that the figure shows it (one deadline for all).
      const deadline = Date.now() + 15_000;
      for (const email of emails) await mail.waitFor(email, 1, Math.max(0, deadline - Date.now())).catch(() => []);
      await new Promise((r) => setTimeout(r, 500)); // time for a duplicate to show up, if there were one
      const received = emails.map((email) => mail.to(email).length);
      const extraCopies = received.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
      figures.record('faults', 'mail relay down while inviting, then back', {
        messages: emails.length,
        deliveredOnce: received.filter((n) => n === 1).length,
        // Messages never delivered, plus extra copies delivered.
        lost: received.filter((n) => n === 0).length + extraCopies,
      });
      expect(received).toEqual(Array(emails.length).fill(1));
      const states = await sql(t.database.url, 'SELECT DISTINCT status FROM outbox_messages');
      expect(states).toEqual([{ status: 'SENT' }]);
    } finally {
      await t.close();
      await mail.stop();
    }
  });

  it('delivers after a restart what an instance could not send before it stopped', async () => {
    const mail = new TestMailServer();
    await mail.start();
    const port = mail.port;
    await mail.stop();
    const first = await startTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, OUTBOX_BASE_DELAY_MS: '100', OUTBOX_MAX_ATTEMPTS: '50' },
    });
    const email = `${unique('restart')}@x.org`;
    try {
      const admin = await loginAsAdmin(first.http);
      expect((await admin.post('/api/v1/invitations', inviteBody(email))).status).toBe(201);
      await first.app.close(); // the instance goes away with the message still queued
      const [queued] = await sql(first.database.url, 'SELECT status FROM outbox_messages');
      expect(queued.status).toBe('QUEUED');
      await mail.start(port);
      const second = await startTestApp({ database: first.database, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
      await mail.waitFor(email, 1, 15_000).catch(() => []); // a missing message is counted below, not thrown here
      await second.app.close();
      const copies = mail.to(email).length;
      figures.record('faults', 'instance stopped with a message queued, another delivers it', {
        messages: 1,
        deliveredOnce: copies === 1 ? 1 : 0,
        // Never delivered, or delivered more than once.
        lost: Math.abs(copies - 1),
      });
      expect(copies).toBe(1);
    } finally {
      await first.close();
      await mail.stop();
    }
  });

  it('delivers exactly once, after a restart, what was committed when the app process was killed mid-send', async () => {
    const mail = new TestMailServer();
    await mail.start();
    mail.hold(); // the relay takes the connection, then hangs: the first message is being sent when the process dies
    const database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, SMTP_URL: mail.url };
    const emails = Array.from({ length: 3 }, () => `${unique('crash')}@x.org`);
    let app = await spawnApp({ env });
    try {
      await app.ready();
      const admin = await loginAsAdmin(app.http);
      const ids: string[] = [];
      for (const email of emails) {
        const created = await admin.post('/api/v1/invitations', inviteBody(email));
        expect(created.status).toBe(201); // committed, message included
        ids.push(created.body.id);
      }
      await mail.waitForHeld(emails.length);
      // The worker claimed the messages (its key in claim_owner, held by its live session) and is sending each of them.
      const claimed = await sql(
        database.url,
        "SELECT claim_owner FROM outbox_messages WHERE status = 'QUEUED' AND claim_owner IS NOT NULL",
      );
      expect(claimed).toHaveLength(emails.length);

      await app.crash(); // SIGKILL: no shutdown hook, the send is cut off
      expect(await app.exited).toBeNull();
      const afterCrash = await sql<{ status: string; sent_at: string | null; recipient: string; mime_body: string }>(
        database.url,
        'SELECT status, sent_at, recipient, mime_body FROM outbox_messages WHERE recipient = ANY($1)',
        [emails],
      );
      expect(afterCrash).toHaveLength(emails.length);
      expect(afterCrash.every((row) => row.status === 'QUEUED' && row.sent_at === null)).toBe(true);
      // Each email was composed when it was queued: the message that goes out after the restart is that one.
      const storedIds = new Map(afterCrash.map((row) => [row.recipient, /^Message-ID: (.+)$/im.exec(row.mime_body)?.[1]]));
      expect([...storedIds.values()].every((id) => id && /^<.+@.+>$/.test(id))).toBe(true);
      expect(mail.mails).toHaveLength(0);

      mail.release();
      app = await spawnApp({ env });
      await app.ready();
      const deadline = Date.now() + 15_000;
      while (emails.some((email) => mail.to(email).length === 0) && Date.now() < deadline) await sleep(50);
      await sleep(500); // time for a duplicate to show up, if there were one
      const received = emails.filter((email) => mail.to(email).length >= 1).length;
      const deliveredOnce = emails.filter((email) => mail.to(email).length === 1).length;
      const again = await loginAsAdmin(app.http);
      const statuses = await Promise.all(ids.map(async (id) => (await again.get(`/api/v1/invitations/${id}`)).body.delivery?.status));
      figures.record('faults', 'app process killed (SIGKILL) mid-send, restarted', {
        messages: emails.length,
        queuedAfterCrash: afterCrash.filter((row) => row.status === 'QUEUED').length,
        deliveredOnce,
        duplicates: emails.reduce((n, email) => n + Math.max(0, mail.to(email).length - 1), 0),
        shownSent: statuses.filter((status) => status === 'SENT').length,
        lost: emails.length - received,
      });
      expect(received).toBe(emails.length);
      expect(deliveredOnce).toBe(emails.length);
      expect(statuses).toEqual(emails.map(() => 'SENT'));
      expect(emails.map((email) => mail.to(email)[0].raw.messageId)).toEqual(emails.map((email) => storedIds.get(email)));
    } finally {
      await app.crash();
      await dropTestDatabase(database.name);
      await mail.stop();
    }
  }, 90_000);

  it('gives up after the configured attempts and keeps the last error', async () => {
    const t = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:1', OUTBOX_BASE_DELAY_MS: '10', OUTBOX_MAX_ATTEMPTS: '3' } });
    try {
      const admin = await loginAsAdmin(t.http);
      const created = await admin.post('/api/v1/invitations', inviteBody(`${unique('fail')}@x.org`));
      let delivery;
      for (let i = 0; i < 100; i++) {
        delivery = (await admin.get(`/api/v1/invitations/${created.body.id}`)).body.delivery;
        if (delivery.status === 'FAILED') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(delivery).toMatchObject({ status: 'FAILED', attempts: 3, lastError: expect.stringMatching(/ECONNREFUSED|connect/) });
    } finally {
      await t.close();
    }
  });

  it('logs, without sending, when no relay is configured', async () => {
    const t = await startTestApp();
    try {
      const admin = await loginAsAdmin(t.http);
      const created = await admin.post('/api/v1/invitations', inviteBody(`${unique('dev')}@x.org`));
      const ticket = new URL(created.body.invitationUrl).hash.slice('#ticket='.length);
      let delivery;
      for (let i = 0; i < 50 && delivery?.status !== 'NOT_SENT'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        delivery = (await admin.get(`/api/v1/invitations/${created.body.id}`)).body.delivery;
      }
      expect(delivery.status).toBe('NOT_SENT');
      expect(t.logText()).toContain('message not sent');
      expect(t.logText()).not.toContain(ticket);
    } finally {
      await t.close();
    }
  });
});
