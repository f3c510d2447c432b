import { fakeFetch, json, type SentRequest } from '../testing/fake-fetch';
import { AnonymousCareidApi, CareidApi } from './careid-api';
import { ICureRegistrationEmail, ICureRegistrationSMS } from './messages';

const BASE = 'https://id.example';
const PATIENT_ID = 'a37c4073-f96e-440c-8757-57a3a0ef7daf';
const hcp = { id: 'hcp-1', lastName: 'Purgon' };
const patient = { id: PATIENT_ID, firstName: 'Argan' };

/** A CareidApi on a session's tokens (so no login request), whose server answers with `respond`. */
function apiAnswering(respond: (request: SentRequest) => Response) {
  const { requests, fetch } = fakeFetch(respond);
  const api = CareidApi.withToken({ baseUrl: BASE, fetch, accessToken: 'access', refreshToken: 'refresh', expiresIn: 900 });
  return { api, requests };
}

const registering = { id: 'user-1', login: 'argan@moliere.fr', patientId: PATIENT_ID, status: 'REGISTERING' };

describe('userApi.createAndInviteUser', () => {
  it("with iCure's arguments (patient, messageFactory, tokenDurationSeconds) posts the factory's templates and options", async () => {
    const { api, requests } = apiAnswering(() => json(201, registering));
    const messageFactory = new ICureRegistrationEmail(hcp, 'https://app.example/login', 'Molière Health', patient);

    const user = await api.userApi.createAndInviteUser(patient, messageFactory, 3600);

    expect(user).toEqual(registering);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', url: `${BASE}/api/v1/patients/${PATIENT_ID}/invite` });
    expect(requests[0].body).toEqual({
      channel: 'email',
      tokenValiditySeconds: 3600,
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière Health',
      message: {
        subject: 'You have been invited to use {{solutionName}}',
        text: expect.stringMatching(/^Login: \{\{login\}\}\nToken: \{\{token\}\}$/m),
        html: expect.stringContaining('{{token}}'),
      },
    });
    expect((requests[0].init.headers as Record<string, string>).authorization).toBe('Bearer access');
  });

  it('with an SMS factory asks for the sms channel', async () => {
    const { api, requests } = apiAnswering(() => json(201, registering));
    await api.userApi.createAndInviteUser(
      PATIENT_ID,
      new ICureRegistrationSMS(hcp, 'https://app.example/login', 'Molière Health', patient),
    );
    expect(requests[0].body).toMatchObject({ channel: 'sms', message: { text: expect.stringContaining('Token: {{token}}') } });
    expect(requests[0].body).not.toHaveProperty('tokenValiditySeconds');
  });

  it('still takes an options object, sent as the body, and createAndInviteFor is the same call', async () => {
    const { api, requests } = apiAnswering(() => json(201, registering));
    const options = {
      channel: 'email' as const,
      tokenValiditySeconds: 600,
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière',
    };
    await api.userApi.createAndInviteUser(patient, options);
    await api.userApi.createAndInviteFor(patient);
    expect(requests.map(({ url, body }) => ({ url, body }))).toEqual([
      { url: `${BASE}/api/v1/patients/${PATIENT_ID}/invite`, body: options },
      { url: `${BASE}/api/v1/patients/${PATIENT_ID}/invite`, body: {} },
    ]);
  });
});

describe('patientApi.shareWith', () => {
  it('posts the data owner and includeRecords to the delegations route and answers the patient', async () => {
    const shared = { id: PATIENT_ID, delegations: ['hcp-1', 'hcp-2'] };
    const { api, requests } = apiAnswering(() => json(200, shared));

    expect(await api.patientApi.shareWith(PATIENT_ID, 'hcp-2', { includeRecords: true })).toEqual(shared);
    await api.patientApi.shareWith(PATIENT_ID, 'hcp-3');

    expect(requests.map(({ method, url, body }) => ({ method, url, body }))).toEqual([
      { method: 'POST', url: `${BASE}/api/v1/patients/${PATIENT_ID}/delegations`, body: { dataOwnerId: 'hcp-2', includeRecords: true } },
      { method: 'POST', url: `${BASE}/api/v1/patients/${PATIENT_ID}/delegations`, body: { dataOwnerId: 'hcp-3' } },
    ]);
  });
});

describe('invitationApi: Oystehr invites', () => {
  it('sends applicationId and redirectUrl, and shouldSendInviteEmail as sendEmail', async () => {
    const { api, requests } = apiAnswering(() => json(201, { id: 'invitation-1' }));
    await api.invitationApi.invite({
      email: 'jon.snow@clinic.example',
      applicationId: '36b974ef-e470-4f1b-9ceb-ccaf23b673bf',
      redirectUrl: 'https://app.example/welcome',
      resource: { resourceType: 'Practitioner' },
      shouldSendInviteEmail: true,
    });
    await api.invitationApi.invite({
      email: 'arya@clinic.example',
      resource: { resourceType: 'Patient' },
      sendEmail: false,
      shouldSendInviteEmail: true,
    });

    expect(requests.map(({ url, body }) => ({ url, body }))).toEqual([
      {
        url: `${BASE}/api/v1/invitations`,
        body: {
          email: 'jon.snow@clinic.example',
          applicationId: '36b974ef-e470-4f1b-9ceb-ccaf23b673bf',
          redirectUrl: 'https://app.example/welcome',
          resource: { resourceType: 'Practitioner' },
          sendEmail: true,
        },
      },
      {
        url: `${BASE}/api/v1/invitations`,
        body: { email: 'arya@clinic.example', resource: { resourceType: 'Patient' }, sendEmail: false },
      },
    ]);
  });

  it("accept answers the api logged in as the invited user, with the invitation's redirectUrl", async () => {
    const session = { accessToken: 'jon-access', refreshToken: 'jon-refresh', expiresIn: 900, tokenType: 'Bearer' };
    const { requests, fetch } = fakeFetch(({ url }) =>
      url.endsWith('/invitations/accept')
        ? json(200, { ...session, redirectUrl: 'https://app.example/welcome' })
        : json(200, { id: 'jon', login: 'jon.snow@clinic.example' }),
    );
    const anonymous = new AnonymousCareidApi({ baseUrl: BASE, fetch });

    const jon = await anonymous.invitationApi.accept('the-ticket', 'winter is coming, slowly');

    expect(jon).toBeInstanceOf(CareidApi);
    expect(jon.redirectUrl).toBe('https://app.example/welcome');
    expect(await jon.userApi.getLogged()).toEqual({ id: 'jon', login: 'jon.snow@clinic.example' });
    expect(requests[0].body).toEqual({ ticket: 'the-ticket', password: 'winter is coming, slowly' });
    expect((requests[1].init.headers as Record<string, string>).authorization).toBe('Bearer jon-access');
  });

  it('accept without a redirectUrl leaves it undefined', async () => {
    const { fetch } = fakeFetch(() => json(200, { accessToken: 'a', refreshToken: 'r', expiresIn: 900, tokenType: 'Bearer' }));
    const jon = await new AnonymousCareidApi({ baseUrl: BASE, fetch }).invitationApi.accept('ticket', 'a password');
    expect(jon.redirectUrl).toBeUndefined();
  });
});

describe('invitationApi: bulk invitations of patients', () => {
  const job = (status: 'RUNNING' | 'DONE', invited: number) => ({ id: 'job-1', status, total: 3, invited, skipped: [] });

  it('invitePatients posts the ids with the options, or with a factory and the lifetime, and answers the job', async () => {
    const { api, requests } = apiAnswering(() => json(202, { id: 'job-1', status: 'RUNNING' }));
    const ids = [PATIENT_ID, 'b0f1c5a4-1111-4e8b-ad7b-f3475ad642cc'];

    expect(await api.invitationApi.invitePatients(ids, { channel: 'email', solutionName: 'Molière Health' })).toEqual({
      id: 'job-1',
      status: 'RUNNING',
    });
    await api.invitationApi.invitePatients(ids, new ICureRegistrationSMS(hcp, 'https://app.example/login', 'Molière Health', patient), 900);

    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: `${BASE}/api/v1/patients/invite`,
      body: { patientIds: ids, channel: 'email', solutionName: 'Molière Health' },
    });
    expect(requests[1].body).toEqual({
      patientIds: ids,
      channel: 'sms',
      tokenValiditySeconds: 900,
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière Health',
      message: { text: expect.stringContaining('Token: {{token}}') },
    });
  });

  it('getJob reads the job', async () => {
    const done = { id: 'job-1', status: 'DONE', total: 2, invited: 1, skipped: [{ patientId: PATIENT_ID, code: 'PATIENT_NOT_FOUND' }] };
    const { api, requests } = apiAnswering(() => json(200, done));
    expect(await api.invitationApi.getJob('job-1')).toEqual(done);
    expect(requests[0]).toMatchObject({ method: 'GET', url: `${BASE}/api/v1/invitation-jobs/job-1` });
  });

  it('waitForJob reads the job until it is DONE', async () => {
    const answers = [job('RUNNING', 0), job('RUNNING', 2), job('DONE', 3)];
    const { api, requests } = apiAnswering(() => json(200, answers.shift()));
    expect(await api.invitationApi.waitForJob('job-1', { intervalMs: 1 })).toEqual(job('DONE', 3));
    expect(requests).toHaveLength(3);
  });

  it('waitForJob throws when the job is still running at the deadline', async () => {
    const { api, requests } = apiAnswering(() => json(200, job('RUNNING', 1)));
    await expect(api.invitationApi.waitForJob('job-1', { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      'Invitation job job-1 is still RUNNING after 30 ms',
    );
    expect(requests.length).toBeGreaterThan(1);
  });
});
