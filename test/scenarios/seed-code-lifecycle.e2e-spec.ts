import {
  AnonymousCareidApi,
  CareidApi,
  ContactPoint,
  DataSample,
  ICureRegistrationEmail,
  ICureRegistrationSMS,
  Location,
  Patient,
  ticketFromInvitationUrl,
  type EmailMessage,
  type EmailMessageFactory,
  type MessageRecipient,
  type PatientDto,
  type PractitionerDto,
} from '@careid/sdk';
import { HttpClient } from '../support/http';
import { lineValue, startSmsGateway, TestMailServer } from '../support/mail-server';
import { loginAsAdmin, unique } from '../support/session';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { practitionerUser, UUID } from './clinic';
import { doctorGivesBackAccess, userLogsInAndAsksForAccess } from './invite-seed-blocks';

const mobileNumber = () => `+3247${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/**
 * The seeds' code blocks that need the invitation features of issue 18 on the server: the `message` templates
 * that iCure's message factories stand for, `applicationId` and `redirectUrl` on invites, and bulk invitations
 * (API.md, "Invitation lifecycle"). Separate from seed-code.e2e-spec.ts so that it runs once those are merged.
 */
describe("Issue 18 invitation features: the seeds' message factories, applicationId and bulk invites, on @careid/sdk", () => {
  const mail = new TestMailServer();
  let sms: Awaited<ReturnType<typeof startSmsGateway>>;
  let t: TestApp;
  let host: string;
  let api: CareidApi;
  let hcp: PractitionerDto;

  beforeAll(async () => {
    await mail.start();
    sms = await startSmsGateway();
    t = await startTestApp({ env: { SMTP_URL: mail.url, SMS_GATEWAY_URL: sms.url } });
    host = t.baseUrl;
    ({ api, practitioner: hcp } = await practitionerUser(host, { email: `${unique('purgon')}@hospital.care`, mobile: mobileNumber() }));
  });
  afterAll(async () => {
    await t.close();
    await sms.close();
    await mail.stop();
  });

  async function patientWith(contact: { email?: string; mobile?: string }, firstName = 'Argan'): Promise<PatientDto> {
    const telecoms = [
      ...(contact.email ? [new ContactPoint({ system: 'email', value: contact.email })] : []),
      ...(contact.mobile ? [new ContactPoint({ system: 'mobile', value: contact.mobile })] : []),
    ];
    return api.patientApi.createOrModify(new Patient({ firstName, lastName: 'Poquelin', addresses: [new Location({ telecoms })] }));
  }

  async function smsTo(mobile: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    while (!sms.messages.some((m) => m.to === mobile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const message = sms.messages.find((m) => m.to === mobile);
    if (!message) throw new Error(`no SMS to ${mobile}`);
    return message.body;
  }

  describe('iCure\'s "Inviting an existing patient to become a user", every block as the seed writes it', () => {
    it('The Doctor Invites the Patient with an ICureRegistrationEmail, then the user logs in and the doctor gives back access', async () => {
      const patientEmail = `${unique('argan')}@moliere.fr`;
      const patient = await patientWith({ email: patientEmail });
      await api.dataSampleApi.createOrModify(new DataSample({ patientId: patient.id, content: { en: { stringValue: 'hypochondria' } } }));

      // Careid: the seed's 'URL_WHERE_TO_LOGIN' and 'SOLUTION_NAME' are a URL on an allowed origin and a name
      const messageFactory = new ICureRegistrationEmail(hcp, 'https://app.example/login', 'Molière Health', patient);

      await api.userApi.createAndInviteUser(patient, messageFactory, 3600);

      const [message] = await mail.waitFor(patientEmail);
      expect(message.subject).toBe('You have been invited to use Molière Health');
      expect(message.text).toMatch(/^Dear .*Argan.*,$/m);
      expect(message.text).toContain('Purgon');
      expect(message.html).toContain('<a href="https://app.example/login">');
      const patientUsername = lineValue(message.text, 'Login');
      const patientToken = lineValue(message.text, 'Token');
      expect(patientUsername).toBe(patientEmail);
      // The token lives as long as the seed asked (3600 s), not the default.
      const invitation = (await api.invitationApi.list({ status: 'PENDING' })).rows.find((row) => row.email === patientEmail)!;
      expect(Math.abs(invitation.expiresAt - (Date.now() + 3600_000))).toBeLessThan(60_000);

      const { authenticationResult } = await userLogsInAndAsksForAccess(host, patientUsername, patientToken);
      const { sharedData, completedStatusUpdate } = await doctorGivesBackAccess(api, patient);

      expect(authenticationResult.user).toMatchObject({ patientId: patient.id, status: 'ACTIVE' });
      expect(sharedData.statuses.dataSamples).toEqual({ success: true, error: null, modified: 1 });
      expect(completedStatusUpdate.status).toBe('completed');
    });

    it('"either the EmailMessageFactory or the SMSMessageFactory": an ICureRegistrationSMS invites by SMS', async () => {
      const mobile = mobileNumber();
      const patient = await patientWith({ mobile });
      const messageFactory = new ICureRegistrationSMS(hcp, 'https://app.example/login', 'Molière Health', patient);

      const user = await api.userApi.createAndInviteUser(patient, messageFactory, 600);

      const body = await smsTo(mobile);
      expect(body).toContain('Molière Health');
      expect(body).toContain('https://app.example/login');
      expect(lineValue(body, 'Login')).toBe(user.login);
      const { authenticationResult } = await userLogsInAndAsksForAccess(host, lineValue(body, 'Login'), lineValue(body, 'Token'));
      expect(authenticationResult.user.id).toBe(user.id);
    });

    it('any class implementing EmailMessageFactory writes the message; the values it gets are escaped where they land', async () => {
      class ClinicInvitation implements EmailMessageFactory {
        link = 'https://app.example/login';
        get(recipient: MessageRecipient, recipientPassword: string): EmailMessage {
          return {
            subject: 'Your access to the clinic',
            text: `Hello {{patientName}}\nLogin: ${recipient.login}\nToken: ${recipientPassword}\n`,
            html: `<p>Hello {{patientName}}</p><p>Login: ${recipient.login}<br>Token: ${recipientPassword}</p>`,
          };
        }
      }
      const patientEmail = `${unique('toinette')}@moliere.fr`;
      const patient = await patientWith({ email: patientEmail }, 'Toinette <b>');

      await api.userApi.createAndInviteUser(patient, new ClinicInvitation(), 3600);

      const [message] = await mail.waitFor(patientEmail);
      expect(message.subject).toBe('Your access to the clinic');
      // The name is plain in the text part and escaped in the HTML part.
      expect(message.text).toMatch(/^Hello .*Toinette <b>/m);
      expect(message.html).toMatch(/Hello [^<]*Toinette &lt;b&gt;/);
      expect(lineValue(message.text, 'Login')).toBe(patientEmail);
      expect(lineValue(message.text, 'Token')).toEqual(expect.any(String));
    });
  });

  describe('Oystehr\'s "Users": Invite a User with the SDK, with its applicationId', () => {
    let admin: HttpClient;
    let applicationId: string;

    beforeAll(async () => {
      admin = await loginAsAdmin(t.http);
      const application = await admin.post('/api/v1/applications', {
        name: 'Patient portal',
        type: 'public',
        redirectUris: ['https://app.example/welcome'],
      });
      expect(application.status).toBe(201);
      applicationId = application.body.id;
    });

    it('invites into a registered application; accepting answers its first redirect URI as redirectUrl', async () => {
      // Careid: `zapehr.init({ ZAPEHR_ACCESS_TOKEN })` is an api logged in as an admin
      const zapehr = new CareidApi({ baseUrl: host, ...TEST_ADMIN });

      // Careid: `zapehr.project.user.invite` is `invitationApi.invite`; the seed's email is one of ours
      const user = await zapehr.invitationApi.invite({
        email: `${unique('jon')}@winterfell.example`,
        applicationId,
        accessPolicy: {
          rule: [
            {
              resource: ['*'],
              action: ['*'],
              effect: 'Allow',
            },
          ],
        },
        resource: {
          resourceType: 'Practitioner',
        },
      });

      expect(user).toMatchObject({ id: expect.stringMatching(UUID), invitationUrl: expect.stringContaining('#ticket=') });
      const jon = await new AnonymousCareidApi({ baseUrl: host }).invitationApi.accept(
        ticketFromInvitationUrl(user.invitationUrl!),
        'winter is coming, slowly',
      );
      expect(jon.redirectUrl).toBe('https://app.example/welcome');
      expect((await jon.userApi.getLogged()).id).toBe(user.userId);
    });

    it('a redirectUrl given with the invite is the one accept answers', async () => {
      const zapehr = new CareidApi({ baseUrl: host, ...TEST_ADMIN });
      const user = await zapehr.invitationApi.invite({
        email: `${unique('arya')}@winterfell.example`,
        applicationId,
        redirectUrl: 'https://app.example/first-steps',
        resource: { resourceType: 'Patient' },
      });

      const arya = await new AnonymousCareidApi({ baseUrl: host }).invitationApi.accept(
        ticketFromInvitationUrl(user.invitationUrl!),
        'valar morghulis, always',
      );
      expect(arya.redirectUrl).toBe('https://app.example/first-steps');
    });

    it('refuses an unknown applicationId (404 APPLICATION_NOT_FOUND) and a redirectUrl on another origin (400)', async () => {
      const zapehr = new CareidApi({ baseUrl: host, ...TEST_ADMIN });
      const resource = { resourceType: 'Practitioner' as const };
      await expect(
        zapehr.invitationApi.invite({
          email: `${unique('x')}@winterfell.example`,
          applicationId: '36b974ef-e470-4f1b-9ceb-ccaf23b673bf',
          resource,
        }),
      ).rejects.toMatchObject({ status: 404, code: 'APPLICATION_NOT_FOUND' });
      await expect(
        zapehr.invitationApi.invite({ email: `${unique('x')}@winterfell.example`, redirectUrl: 'https://evil.example/', resource }),
      ).rejects.toMatchObject({ status: 400, code: 'REDIRECT_NOT_ALLOWED' });
    });
  });

  describe('bulk invitations through invitationApi', () => {
    it('invitePatients with a message factory: the job runs to DONE, invites each patient it can, and names those it skipped', async () => {
      const emails = [1, 2, 3].map(() => `${unique('malade')}@moliere.fr`);
      const patients = await Promise.all(emails.map((email) => patientWith({ email })));
      const noContact = await patientWith({});
      const stranger = await (await practitionerUser(host)).api.patientApi.createOrModify(new Patient({ firstName: 'Cléante' }));
      const messageFactory = new ICureRegistrationEmail(hcp, 'https://app.example/login', 'Molière Health');

      const started = await api.invitationApi.invitePatients(
        [...patients.map((p) => p.id), noContact.id, stranger.id],
        messageFactory,
        3600,
      );

      expect(started).toEqual({ id: expect.stringMatching(UUID), status: 'RUNNING' });
      const job = await api.invitationApi.waitForJob(started.id, { timeoutMs: 20_000 });
      expect(job).toMatchObject({ id: started.id, status: 'DONE', total: 5, invited: 3 });
      expect(job.skipped).toEqual(
        expect.arrayContaining([
          // The factory's message is an email: as POST /patients/{id}/invite {channel: 'email'} answers for this patient.
          { patientId: noContact.id, code: 'PATIENT_HAS_NO_EMAIL' },
          { patientId: stranger.id, code: 'PATIENT_NOT_FOUND' },
        ]),
      );
      expect(job.skipped).toHaveLength(2);
      for (const email of emails) {
        const [message] = await mail.waitFor(email);
        expect(message.subject).toBe('You have been invited to use Molière Health');
        expect(lineValue(message.text, 'Login')).toBe(email);
      }
      expect(await api.invitationApi.getJob(started.id)).toEqual(job);
    });

    it('invitePatients with options: the default message, by SMS', async () => {
      const mobile = mobileNumber();
      const patient = await patientWith({ mobile });

      const started = await api.invitationApi.invitePatients([patient.id], { channel: 'sms', solutionName: 'Molière Health' });

      expect(await api.invitationApi.waitForJob(started.id, { timeoutMs: 20_000 })).toMatchObject({
        status: 'DONE',
        total: 1,
        invited: 1,
        skipped: [],
      });
      const body = await smsTo(mobile);
      expect(body).toContain('Molière Health');
      expect(lineValue(body, 'Token')).toEqual(expect.any(String));
    });
  });
});
