import { authenticator } from 'otplib';
import { publicKeyHex } from '../support/keys';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { figures, recordRace } from '../support/figures';
import { lineValue, linkIn, TestMailServer } from '../support/mail-server';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A one-time ticket raced by more callers than the pool has connections:
 * the losers hold theirs while they wait on the ticket's row lock, so the
 * winner must finish on its own transaction's connection (a second one would
 * never come, and the winner would time out with 503 instead of setting the
 * password). Exactly one caller wins; every other one is told the link (or
 * the activation token) is used up.
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
    t = await startTestApp({ env: { SMTP_URL: mail.url, DB_POOL_SIZE: String(POOL), LOG_LEVEL: 'warn', LOCKOUT_MAX_FAILURES: '100' } });
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

  async function race(path: string, body: (i: number) => unknown, success: number, refusal: string): Promise<void> {
    const answers = await Promise.all(Array.from({ length: CALLERS }, (_, i) => t.http.post(path, body(i))));
    outcomes.push(...answers.map((a) => a.status));
    const statuses = answers.map((a) => (a.status === success ? String(success) : `${a.status} ${a.body.code}`)).sort();
    expect(statuses).toEqual([String(success), ...Array(CALLERS - 1).fill(refusal)].sort());
  }
  const withTicket = (ticket: string) => (i: number) => ({ ticket, password: `the winning password ${i}` });

  it('accepts an invitation once', async () => {
    const admin = await loginAsAdmin(t.http);
    const invitation = await admin.post('/api/v1/invitations', {
      email: `${unique('race')}@clinic.example`,
      resource: { resourceType: 'Practitioner' },
    });
    await race('/api/v1/invitations/accept', withTicket(ticketOf(invitation.body.invitationUrl)), 200, '410 TICKET_USED');
  });

  it('confirms a password reset once', async () => {
    const admin = await loginAsAdmin(t.http);
    const { user } = await createUser(admin);
    await t.http.post('/api/v1/auth/password-reset', { email: user.email });
    const [message] = await mail.waitFor(user.email);
    await race(
      '/api/v1/auth/password-reset/confirm',
      withTicket(ticketOf(linkIn(message.text, '/password-reset'))),
      204,
      '410 TICKET_USED',
    );
  });

  it('activates an invited patient once with its mailed token', async () => {
    const admin = await loginAsAdmin(t.http);
    const practitioner = await admin.post('/api/v1/practitioners', {
      lastName: 'Purgon',
      addresses: [{ addressType: 'work', telecoms: [{ system: 'email', value: `${unique('hcp')}@hospital.care` }] }],
    });
    const doctor = await createUser(admin, { healthcarePartyId: practitioner.body.id });
    const session = await loginAs(t.http, doctor.login, doctor.password);
    const email = `${unique('argan')}@moliere.fr`;
    const patient = await session.post('/api/v1/patients', {
      lastName: 'Argan',
      addresses: [{ addressType: 'home', telecoms: [{ system: 'email', value: email }] }],
    });
    expect((await session.post(`/api/v1/patients/${patient.body.id}/invite`, {})).status).toBe(201);
    const [message] = await mail.waitFor(email);
    const key = publicKeyHex();
    const body = () => ({ login: lineValue(message.text, 'Login'), token: lineValue(message.text, 'Token'), publicKey: key });
    await race('/api/v1/auth/activate', body, 200, '401 INVALID_ACTIVATION');
  });

  it('opens one session with one TOTP code sent in parallel logins', async () => {
    const LOGINS = 5;
    const admin = await loginAsAdmin(t.http);
    const { login, password } = await createUser(admin);
    const me = await loginAs(t.http, login, password);
    const setup = await me.post('/api/v1/users/current/2fa/setup', { currentPassword: password });
    expect(setup.status).toBe(201);
    const secret: string = setup.body.secret;
    expect((await me.post('/api/v1/users/current/2fa/enable', { code: authenticator.generate(secret) })).status).toBe(204);
    // The enable used up the current step's code; the next step's (within the accepted window of ±1 step) is unused.
    const totp = authenticator.clone({ epoch: Date.now() + 30_000 }).generate(secret);
    const answers = await Promise.all(Array.from({ length: LOGINS }, () => t.http.post('/api/v1/auth/login', { login, password, totp })));
    const statuses = answers.map((a) => a.status);
    const won = statuses.filter((s) => s === 200).length;
    // A session opened twice with one code would be a code used twice.
    recordRace(`one TOTP code, ${LOGINS} parallel logins`, statuses, { sessions: won, lost: Math.abs(won - 1) });
    expect(answers.map((a) => (a.status === 200 ? '200' : `${a.status} ${a.body.code}`)).sort()).toEqual(
      ['200', ...Array(LOGINS - 1).fill('401 TOTP_INVALID')].sort(),
    );
  });
});
