import { AnonymousCareidApi, CareidApi, CareidApiError, ticketFromInvitationUrl } from '@careid/sdk';
import { linkIn, TestMailServer } from '../support/mail-server';
import { unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { adminApi, UUID } from './clinic';

/**
 * Oystehr's "Users" guide (users and invites) through the SDK's invitationApi: invite a practitioner user, the
 * mail carries the invitation URL, the invited person sets a password with its ticket and logs in.
 */
describe('Oystehr\'s "Invite a User", through @careid/sdk', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let api: CareidApi;
  let anonymous: AnonymousCareidApi;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    api = adminApi(t.baseUrl);
    anonymous = new AnonymousCareidApi({ baseUrl: t.baseUrl });
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('invites, mails the invitation URL, and the user sets a password and logs in', async () => {
    const email = `${unique('jon')}@winterfell.example`;
    // `shouldSendInviteEmail` is `sendEmail` (the SDK takes both); `applicationId` runs in seed-code-lifecycle.e2e-spec.ts.
    const user = await api.invitationApi.invite({
      email,
      firstName: 'Jon',
      lastName: 'Snow',
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
      sendEmail: true,
    });

    expect(user).toMatchObject({
      id: expect.stringMatching(UUID),
      name: 'Jon Snow',
      email,
      profile: expect.stringMatching(/^Practitioner\/[0-9a-f-]{36}$/),
      accessPolicy: { rule: [{ resource: ['*'], action: ['*'], effect: 'Allow' }] },
      roles: [],
      status: 'PENDING',
      invitationUrl: expect.stringMatching(/^http:\/\/careid\.test\/invitations\/accept#ticket=/),
    });

    const [message] = await mail.waitFor(email);
    expect(linkIn(message.text, '/invitations/accept')).toBe(user.invitationUrl);

    const ticket = ticketFromInvitationUrl(user.invitationUrl!);
    expect(await anonymous.invitationApi.inspect(ticket)).toMatchObject({
      usable: true,
      kind: 'invitation',
      login: email,
      name: 'Jon Snow',
    });

    const jon = await anonymous.invitationApi.accept(ticket, 'winter is coming, slowly');
    const practitionerId = user.profile.split('/')[1];
    expect(await jon.userApi.getLogged()).toMatchObject({
      id: user.userId,
      login: email,
      status: 'ACTIVE',
      healthcarePartyId: practitionerId,
    });
    expect(await jon.practitionerApi.get(practitionerId)).toMatchObject({ firstName: 'Jon', lastName: 'Snow' });

    // Logging in with the password set through accept.
    const later = new CareidApi({ baseUrl: t.baseUrl, login: email, password: 'winter is coming, slowly' });
    expect((await later.userApi.getLogged()).id).toBe(user.userId);
    expect((await (await anonymous.authenticationApi.login(email, 'winter is coming, slowly')).userApi.getLogged()).id).toBe(user.userId);

    // A ticket works once.
    await expect(anonymous.invitationApi.accept(ticket, 'another password entirely')).rejects.toMatchObject({ status: 410 });
    expect(await anonymous.invitationApi.inspect(ticket)).toMatchObject({ usable: false, reason: 'used' });
    const listed = await api.invitationApi.list({ email });
    expect(listed).toMatchObject({ total: 1, rows: [{ id: user.id, status: 'ACCEPTED', delivery: { status: 'SENT' } }] });
  });

  it('resends (a new ticket, the old one dead), revokes, and refuses a second invitation with 409', async () => {
    const email = `${unique('arya')}@winterfell.example`;
    const invitation = await api.invitationApi.invite({ email, firstName: 'Arya', resource: { resourceType: 'Patient' } });
    expect(invitation.profile).toMatch(/^Patient\//);
    const duplicate = api.invitationApi.invite({ email, resource: { resourceType: 'Patient' } });
    await expect(duplicate).rejects.toBeInstanceOf(CareidApiError);
    await expect(duplicate).rejects.toMatchObject({ status: 409 });

    const resent = await api.invitationApi.resend(invitation.id);
    expect(resent.invitationUrl).not.toBe(invitation.invitationUrl);
    expect(await anonymous.invitationApi.inspect(ticketFromInvitationUrl(invitation.invitationUrl!))).toMatchObject({ usable: false });

    const revoked = await api.invitationApi.revoke(invitation.id);
    expect(revoked.status).toBe('REVOKED');
    expect((await api.invitationApi.get(invitation.id)).status).toBe('REVOKED');
    await expect(anonymous.invitationApi.accept(ticketFromInvitationUrl(resent.invitationUrl!), 'valar morghulis!')).rejects.toMatchObject({
      status: 410,
    });
  });
});
