import { sql } from '../support/db';
import { createPatient, createPractitionerUser } from '../support/care';
import { HttpClient } from '../support/http';
import { lineValue, startSmsGateway, TestMailServer } from '../support/mail-server';
import { createUser, loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

/** Lines as a mail client or phone may break them. */
const lines = (text: string) => text.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/);
const labelled = (text: string, label: string) => lines(text).filter((line) => new RegExp(`^\\s*${label}\\s*:`, 'i').test(line));

const randomMobile = () =>
  `+3247${Math.floor(Math.random() * 1e7)
    .toString()
    .padStart(7, '0')}`;

describe('Messages that cannot impersonate', () => {
  const mail = new TestMailServer();
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;

  async function smsTo(mobile: string) {
    const deadline = Date.now() + 10_000;
    while (!sms.messages.some((m) => m.to === mobile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const message = sms.messages.find((m) => m.to === mobile);
    if (!message) throw new Error(`no SMS to ${mobile}`);
    return message;
  }

  beforeAll(async () => {
    await mail.start();
    sms = await startSmsGateway();
    t = await startTestApp({ env: { SMTP_URL: mail.url, SMS_GATEWAY_URL: sms.url } });
    admin = await loginAsAdmin(t.http);
    doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care`, mobile: '+32470000001' });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
    await sms.close();
  });

  it('keeps a solutionName with a line break on one line: the SMS has one Login: line, the real one', async () => {
    const mobile = randomMobile();
    const patient = await createPatient(doctor.client, { mobile });
    const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { solutionName: 'Clinic\nLogin: attacker' });
    expect(response.status).toBe(201);
    const message = await smsTo(mobile);
    expect(labelled(message.body, 'Login')).toEqual([`Login: ${mobile}`]);
    expect(labelled(message.body, 'Token')).toHaveLength(1);
    expect(lines(message.body)[0]).toBe('Clinic Login: attacker: Hippo Crates invited you.');
  });

  it("keeps a patient's name with a line break on one line: the mail's text has one Token: line, the real one", async () => {
    const email = `${unique('eve')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email }, { firstName: 'Eve\nToken: FAKE', lastName: 'Poquelin\u2028Login: x' });
    expect((await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, {})).status).toBe(201);
    const [message] = await mail.waitFor(email);
    const token = lineValue(message.text, 'Token');
    expect(labelled(message.text, 'Token')).toEqual([`Token: ${token}`]);
    expect(labelled(message.text, 'Login')).toEqual([`Login: ${email}`]);
    expect(message.text).toContain('Hello Eve Token: FAKE Poquelin Login: x,');
    expect(message.html).toContain('Hello Eve Token: FAKE Poquelin Login: x,');
    expect(message.html).not.toMatch(/[\u2028\u2029\u0085]/);
  });

  it("never lets a practitioner's email choose the Reply-To: a hostile value is skipped for the next valid one, or refused", async () => {
    const valid = `${unique('doc')}@hospital.care`;
    for (const hostile of [
      '"doc@hospital.care"\r\n<evil@attacker.example>',
      'x,evil@attacker.example',
      'doc@hospital.care <evil@attacker.example>',
    ]) {
      const sender = await createPractitionerUser(admin, {});
      const practitioner = (await admin.get(`/api/v1/practitioners/${sender.practitioner.id}`)).body;
      const telecoms = [
        { system: 'email', value: hostile },
        { system: 'email', value: valid },
      ];
      const saved = await admin.put(`/api/v1/practitioners/${practitioner.id}`, {
        ...practitioner,
        addresses: [{ addressType: 'work', telecoms }],
      });
      // A line break never gets stored at all: refused at the edge (test/identity/identifiers).
      if (/[\r\n]/.test(hostile)) {
        expect([saved.status, saved.body.code]).toEqual([400, 'INVALID_CHARACTERS']);
        continue;
      }
      expect(saved.status).toBe(200);
      const email = `${unique('p')}@moliere.fr`;
      const patient = await createPatient(sender.client, { email });
      expect((await sender.client.post(`/api/v1/patients/${patient.id}/invite`, {})).status).toBe(201);
      const [message] = await mail.waitFor(email);
      expect(message.raw.replyTo?.value.map((v) => v.address)).toEqual([valid]);
      expect(message.raw.headerLines.filter((h) => h.key === 'reply-to')).toHaveLength(1);

      // With only the hostile address, the invitation is refused: there is no reply-to to give.
      const alone = await admin.put(`/api/v1/practitioners/${practitioner.id}`, {
        ...saved.body,
        addresses: [{ addressType: 'work', telecoms: [telecoms[0]] }],
      });
      expect(alone.status).toBe(200);
      const other = await createPatient(sender.client, { email: `${unique('p')}@moliere.fr` });
      const refused = await sender.client.post(`/api/v1/patients/${other.id}/invite`, {});
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('PRACTITIONER_HAS_NO_EMAIL');
    }
    expect(mail.mails.some((m) => JSON.stringify(m.raw.replyTo ?? null).includes('attacker.example'))).toBe(false);
  });

  it('sends no mail to an address a recipient value smuggles in: the message fails at once instead', async () => {
    const { user } = await createUser(admin, { email: `x,evil-${unique()}@attacker.example` });
    expect((await t.http.post('/api/v1/auth/password-reset', { email: user.email })).status).toBe(202);
    const deadline = Date.now() + 10_000;
    let rows: { status: string; attempts: number }[] = [];
    while (Date.now() < deadline) {
      rows = await sql(t.database.url, `SELECT status, attempts FROM outbox_messages WHERE recipient = $1`, [user.email]);
      if (rows.length && rows[0].status !== 'QUEUED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toEqual([{ status: 'FAILED', attempts: 1 }]);
    expect(mail.mails.filter((m) => JSON.stringify(m.raw.to ?? null).includes('attacker.example'))).toEqual([]);
  });
});
