import { createPatient, createPractitionerUser } from '../support/care';
import { sql } from '../support/db';
import { HttpClient } from '../support/http';
import { linkIn, TestMailServer } from '../support/mail-server';
import { createUser, loginAs, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

const ticketOf = (link: string) => new URL(link).hash.replace('#ticket=', '');

/**
 * Identifiers, text and links: logins and emails are compared after NFKC and full case folding, invisible
 * characters are refused, look-alike logins (UTS #39 skeleton) are duplicates; mobiles are E.164; passwords are
 * 8 to 72 bytes and not among the 10,000 most common, and a longer login attempt is a wrong password.
 */
describe('Look-alike identifiers, mobile numbers and passwords', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    admin = await loginAsAdmin(t.http);
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  describe('logins and emails', () => {
    it.each([
      ['full-width', 'ＡＤＭＩＮ'],
      ['one full-width letter', 'ａdmin'],
      ['a dotless ı (confusable)', 'Admın'],
      ['a Cyrillic а (confusable)', 'аdmin'],
    ])('refuses %s "%s" while "admin" exists: DUPLICATE_LOGIN', async (_, login) => {
      const response = await admin.post('/api/v1/users', { login, passwordHash: 'a fine long passphrase' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('DUPLICATE_LOGIN');
    });

    it.each([
      ['a zero-width space', 'ad\u200Bmin'],
      ['a byte order mark', '\uFEFFadmin'],
      ['a right-to-left override', '\u202Enimda'],
      ['a zero-width joiner', 'ad\u200Dmin'],
      ['a control character', 'ad\u0007min'],
    ])('refuses a login with %s: INVALID_CHARACTERS', async (_, login) => {
      const response = await admin.post('/api/v1/users', { login, passwordHash: 'a fine long passphrase' });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('INVALID_CHARACTERS');
    });

    it('refuses an email with a zero-width character, on create and on change', async () => {
      const created = await admin.post('/api/v1/users', { login: unique('zw'), email: `a\u200B${unique('b')}@x.test` });
      expect(created.status).toBe(400);
      expect(created.body.code).toBe('INVALID_CHARACTERS');
      const { user } = await createUser(admin);
      const changed = await admin.put(`/api/v1/users/${user.id}`, { ...user, email: `\u202E${unique('m')}@x.test` });
      expect(changed.status).toBe(400);
      expect(changed.body.code).toBe('INVALID_CHARACTERS');
    });

    it('folds ß to ss: Straße and STRASSE are one login and one email', async () => {
      const tag = unique('s');
      const first = await admin.post('/api/v1/users', { login: `Straße-${tag}`, email: `Straße.${tag}@x.test` });
      expect(first.status).toBe(201);
      const sameLogin = await admin.post('/api/v1/users', { login: `STRASSE-${tag.toUpperCase()}` });
      expect(sameLogin.status).toBe(400);
      expect(sameLogin.body.code).toBe('DUPLICATE_LOGIN');
      const sameEmail = await admin.post('/api/v1/users', { login: unique('other'), email: `STRASSE.${tag.toUpperCase()}@x.test` });
      expect(sameEmail.status).toBe(400);
      expect(sameEmail.body.code).toBe('DUPLICATE_EMAIL');
      const found = await admin.get(`/api/v1/users/by-email/${encodeURIComponent(`strasse.${tag}@ｘ.ｔｅｓｔ`)}`);
      expect(found.status).toBe(200);
      expect(found.body.id).toBe(first.body.id);
    });

    it('logs in with any case and width of the login', async () => {
      const tag = unique('w');
      const { password } = await createUser(admin, { login: `Weiß-${tag}`, passwordHash: 'a fine long passphrase' });
      const fullWidth = [...`WEISS-${tag.toUpperCase()}`].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
      await loginAs(t.http, fullWidth.replace('\uff0d', '-'), password);
    });

    it('lets PostgreSQL settle concurrent look-alike creates: exactly one wins', async () => {
      const tag = unique('c');
      const [a, b] = await Promise.all([
        admin.post('/api/v1/users', { login: `bill-${tag}` }),
        admin.post('/api/v1/users', { login: `bi11-${tag}` }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 400]);
      expect([a, b].find((r) => r.status === 400)!.body.code).toBe('DUPLICATE_LOGIN');
    });

    it('frees a look-alike login when its user is deleted', async () => {
      const tag = unique('d');
      const { user } = await createUser(admin, { login: `paypal-${tag}` });
      expect((await admin.post('/api/v1/users', { login: `pаypаl-${tag}` })).body.code).toBe('DUPLICATE_LOGIN');
      expect((await admin.delete(`/api/v1/users/${user.id}`)).status).toBe(200);
      expect((await admin.post('/api/v1/users', { login: `pаypаl-${tag}` })).status).toBe(201);
    });
  });

  describe('mobile numbers', () => {
    it('stores patients’ and practitioners’ mobiles in E.164 and refuses unparseable ones', async () => {
      const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care`, mobile: '+32 (470) 12.34-56' });
      expect(doctor.practitioner.addresses[0].telecoms.find((x: any) => x.system === 'mobile').value).toBe('+32470123456');
      const patient = await createPatient(doctor.client, { mobile: '+33 6 12 34 56 78' });
      expect(patient.addresses[0].telecoms[0].value).toBe('+33612345678');

      for (const value of ['+32 abc 12', '0470123456', '+999 1234', '+32\u200B470123456', '12']) {
        const addresses = [{ addressType: 'home', telecoms: [{ system: 'mobile', value }] }];
        const onPatient = await doctor.client.post('/api/v1/patients', { firstName: 'A', lastName: 'B', addresses });
        expect([onPatient.status, onPatient.body.code]).toEqual([400, value.includes('\u200B') ? 'INVALID_CHARACTERS' : 'INVALID_MOBILE']);
        const onPractitioner = await admin.post('/api/v1/practitioners', { firstName: 'A', lastName: 'B', addresses });
        expect(onPractitioner.status).toBe(400);
        const onUpdate = await doctor.client.put(`/api/v1/patients/${patient.id}`, { ...patient, addresses });
        expect(onUpdate.status).toBe(400);
      }
    });

    it('invites by SMS to the E.164 number, which is the login', async () => {
      const doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care`, mobile: '+32470000001' });
      const digits = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
      const patient = await createPatient(doctor.client, { mobile: `+32 471 ${digits}` });
      const invited = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { channel: 'sms' });
      expect(invited.status).toBe(201);
      expect(invited.body.login).toBe(`+32471${digits}`);
    });
  });

  describe('passwords', () => {
    const seventyTwoBytes = 'é'.repeat(30) + 'x'.repeat(12); // 60 + 12 bytes

    it('a login attempt past 72 bytes is a wrong password, though bcrypt would match its first 72', async () => {
      const { login } = await createUser(admin, { passwordHash: seventyTwoBytes });
      await loginAs(t.http, login, seventyTwoBytes);
      const longer = await t.http.post('/api/v1/auth/login', { login, password: `${seventyTwoBytes}anything` });
      expect(longer.status).toBe(401);
      expect(longer.body.code).toBe('INVALID_CREDENTIALS');
      const [failures] = await sql(t.database.url, 'SELECT failures FROM login_failures WHERE login_key = $1', [login.toLowerCase()]);
      expect(failures.failures).toBe(1); // counted by the lockout like any wrong password
    });

    it.each(['password123', 'iloveyou', 'Qwertyuiop', 'sunshine'])(
      'refuses the common password "%s" on create and change: PASSWORD_TOO_COMMON',
      async (common) => {
        const created = await admin.post('/api/v1/users', { login: unique('p'), passwordHash: common });
        expect([created.status, created.body.code]).toEqual([400, 'PASSWORD_TOO_COMMON']);
        const { user } = await createUser(admin);
        const changed = await admin.put(`/api/v1/users/${user.id}`, { ...user, passwordHash: common });
        expect([changed.status, changed.body.code]).toEqual([400, 'PASSWORD_TOO_COMMON']);
      },
    );

    it('refuses too long and too common passwords when an invitation is accepted and a reset confirmed', async () => {
      const email = `${unique('inv')}@x.test`;
      const invitation = await admin.post('/api/v1/invitations', { email, resource: { resourceType: 'Practitioner' } });
      expect(invitation.status).toBe(201);
      const ticket = ticketOf(invitation.body.invitationUrl);
      const common = await t.http.post('/api/v1/invitations/accept', { ticket, password: 'baseball' });
      expect([common.status, common.body.code]).toEqual([400, 'PASSWORD_TOO_COMMON']);
      const long = await t.http.post('/api/v1/invitations/accept', { ticket, password: `${seventyTwoBytes}!` });
      expect([long.status, long.body.code]).toEqual([400, 'PASSWORD_TOO_LONG']);
      expect((await t.http.post('/api/v1/invitations/accept', { ticket, password: seventyTwoBytes })).status).toBe(200);

      const { user } = await createUser(admin);
      await t.http.post('/api/v1/auth/password-reset', { email: user.email });
      const [message] = await mail.waitFor(user.email);
      const resetTicket = ticketOf(linkIn(message.text, '/password-reset'));
      const resetCommon = await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: resetTicket, password: 'football' });
      expect([resetCommon.status, resetCommon.body.code]).toEqual([400, 'PASSWORD_TOO_COMMON']);
      const resetLong = await t.http.post('/api/v1/auth/password-reset/confirm', { ticket: resetTicket, password: 'x'.repeat(73) });
      expect([resetLong.status, resetLong.body.code]).toEqual([400, 'PASSWORD_TOO_LONG']);
    });

    it('refuses the login as password, whatever its case and width', async () => {
      const login = unique('samename');
      const fullWidth = [...login.toUpperCase()].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
      const response = await admin.post('/api/v1/users', { login, passwordHash: fullWidth });
      expect([response.status, response.body.code]).toEqual([400, 'PASSWORD_EQUALS_LOGIN']);
    });
  });
});
