import { createUser, loginAsAdmin, unique } from '../support/session';
import { figures } from '../support/figures';
import { linkIn, TestMailServer } from '../support/mail-server';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A one-time ticket raced by more callers than the pool has connections:
 * the losers hold theirs while they wait on the ticket's row lock, so the
 * winner must finish on its own transaction's connection (a second one would
 * never come, and the winner would time out with 503 instead of setting the
 * password). Exactly one caller wins; every other one is told the link is used.
 */
const POOL = 3;
const CALLERS = 8;
const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');

describe('One-time tickets under more concurrent callers than database connections', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  const outcomes: number[] = [];

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url, DB_POOL_SIZE: String(POOL), LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    figures.record('races', `one ticket, ${CALLERS} callers, ${POOL} connections`, {
      callers: outcomes.length,
      won: outcomes.filter((s) => s === 200 || s === 204).length,
      unavailable503: outcomes.filter((s) => s === 503).length,
    });
    await t.close();
    await mail.stop();
  });

  async function race(path: string, ticket: string, success: number): Promise<void> {
    const answers = await Promise.all(
      Array.from({ length: CALLERS }, (_, i) => t.http.post(path, { ticket, password: `the winning password ${i}` })),
    );
    outcomes.push(...answers.map((a) => a.status));
    const statuses = answers.map((a) => (a.status === 410 ? `410 ${a.body.code}` : String(a.status))).sort();
    expect(statuses).toEqual([String(success), ...Array(CALLERS - 1).fill('410 TICKET_USED')].sort());
  }

  it('accepts an invitation once', async () => {
    const admin = await loginAsAdmin(t.http);
    const invitation = await admin.post('/api/v1/invitations', {
      email: `${unique('race')}@clinic.example`,
      resource: { resourceType: 'Practitioner' },
    });
    await race('/api/v1/invitations/accept', ticketOf(invitation.body.invitationUrl), 200);
  });

  it('confirms a password reset once', async () => {
    const admin = await loginAsAdmin(t.http);
    const { user } = await createUser(admin);
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    const [message] = await mail.waitFor(user.email);
    await race('/api/v1/auth/password-reset/confirm', ticketOf(linkIn(message.text, '/password-reset')), 204);
  });
});
