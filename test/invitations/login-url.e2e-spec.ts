import { createPatient, createPractitionerUser } from '../support/care';
import { HttpClient } from '../support/http';
import { TestMailServer } from '../support/mail-server';
import { loginAsAdmin, unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';

describe('Invitation links only to allowed origins (ALLOWED_REDIRECT_ORIGINS)', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let admin: HttpClient;
  let doctor: Awaited<ReturnType<typeof createPractitionerUser>>;

  beforeAll(async () => {
    await mail.start();
    // ALLOWED_REDIRECT_ORIGINS unset: only PUBLIC_URL's origin (http://careid.test) is allowed.
    t = await startTestApp({ env: { SMTP_URL: mail.url, ALLOWED_REDIRECT_ORIGINS: undefined } });
    admin = await loginAsAdmin(t.http);
    doctor = await createPractitionerUser(admin, { email: `${unique('hcp')}@hospital.care` });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('refuses a loginUrl on another origin with 400 REDIRECT_NOT_ALLOWED, before any user or message exists', async () => {
    for (const loginUrl of [
      'https://evil.example/login',
      'https://careid.test.evil.example/login',
      'http://careid.test@evil.example/login',
      'https://careid.test/login', // another scheme is another origin
      'https://app.example/login', // allowed by the other tests' ALLOWED_REDIRECT_ORIGINS, not by this app's default
    ]) {
      const email = `${unique('p')}@moliere.fr`;
      const patient = await createPatient(doctor.client, { email });
      const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { loginUrl });
      expect({ loginUrl, status: response.status, code: response.body.code }).toEqual({
        loginUrl,
        status: 400,
        code: 'REDIRECT_NOT_ALLOWED',
      });
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'loginUrl' })]);
      expect((await admin.get(`/api/v1/users?patientId=${patient.id}`)).body.rows).toEqual([]);
    }
  });

  it("accepts a loginUrl on PUBLIC_URL's origin by default and sends it", async () => {
    const email = `${unique('p')}@moliere.fr`;
    const patient = await createPatient(doctor.client, { email });
    const response = await doctor.client.post(`/api/v1/patients/${patient.id}/invite`, { loginUrl: 'http://careid.test/app/login' });
    expect(response.status).toBe(201);
    const [message] = await mail.waitFor(email);
    expect(message.text).toContain('Log in at: http://careid.test/app/login');
  });
});
