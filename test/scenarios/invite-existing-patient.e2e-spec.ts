import {
  AnonymousCareidApi,
  CareidApi,
  ContactPoint,
  ContactPointTelecomTypeEnum,
  DataSample,
  HealthcareElement,
  Location,
  LocationAddressTypeEnum,
  NotificationTypeEnum,
  Patient,
  ua2hex,
  type AuthenticationResult,
  type DataSampleDto,
  type NotificationDto,
  type PatientDto,
  type PractitionerDto,
} from '@careid/sdk';
import { lineValue, TestMailServer } from '../support/mail-server';
import { unique } from '../support/session';
import { startTestApp, TestApp } from '../support/test-app';
import { practitionerUser, rev, UUID } from './clinic';

/**
 * iCure's "Inviting an existing patient to become a user" guide, the whole of it, through the SDK: the doctor invites
 * the patient, the patient's first login asks for its data, the doctor shares it, the patient reads it.
 */
describe('iCure\'s "Inviting an existing patient to become a user", through @careid/sdk', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let host: string;
  // "We assume that your database contains at least one Healthcare Professional, one Patient and one Data Sample associated to them."
  let api: CareidApi;
  let hcp: PractitionerDto;
  let patient: PatientDto;
  let dataSample: DataSampleDto;
  const patientEmail = `${unique('argan')}@moliere.fr`;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    host = t.baseUrl;
    ({ api, practitioner: hcp } = await practitionerUser(host, { email: `${unique('purgon')}@hospital.care` }));
    patient = await api.patientApi.createOrModify(
      new Patient({
        firstName: 'Argan',
        lastName: 'Poquelin',
        addresses: [
          new Location({
            addressType: LocationAddressTypeEnum.HOME,
            telecoms: [new ContactPoint({ system: ContactPointTelecomTypeEnum.EMAIL, value: patientEmail })],
          }),
        ],
        dateOfBirth: 19730210,
      }),
    );
    dataSample = await api.dataSampleApi.createOrModify(
      new DataSample({ patientId: patient.id, content: { en: { measureValue: { value: 72, unit: 'bpm' } } } }),
    );
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('goes from the invitation to the patient reading its own data', async () => {
    // --- The Doctor Invites the Patient ---
    const invited = await api.userApi.createAndInviteUser(patient, {
      channel: 'email',
      tokenValiditySeconds: 3600,
      loginUrl: 'https://app.example/login',
      solutionName: 'Molière Health',
    });
    expect(invited).toMatchObject({
      login: patientEmail,
      patientId: patient.id,
      status: 'REGISTERING',
      rev: expect.stringMatching(rev(1)),
    });

    // --- The User Logs in and Asks for Access ---
    const [message] = await mail.waitFor(patientEmail);
    expect(message.subject).toContain('Molière Health');
    expect(message.replyTo).toBe(hcp.addresses[0].telecoms![0].value);
    expect(message.text).toContain('https://app.example/login');
    const patientUsername = lineValue(message.text, 'Login');
    const patientToken = lineValue(message.text, 'Token');
    expect(patientUsername).toBe(patientEmail);

    const anonymousMedTechApi = new AnonymousCareidApi({ baseUrl: host });

    const { publicKey, privateKey } = await anonymousMedTechApi.cryptoApi.RSA.generateKeyPair();
    const publicKeyHex = ua2hex(await anonymousMedTechApi.cryptoApi.RSA.exportKey(publicKey, 'spki'));
    const privateKeyHex = ua2hex(await anonymousMedTechApi.cryptoApi.RSA.exportKey(privateKey, 'pkcs8'));

    const notifiedAfter = Date.now() - 1;
    const patientSession: AuthenticationResult = await anonymousMedTechApi.authenticationApi.authenticateAndAskAccessToItsExistingData(
      patientUsername,
      patientToken,
      async () => ({ privateKey: privateKeyHex, publicKey: publicKeyHex }),
    );

    expect(patientSession.keyPair).toEqual({ publicKey: publicKeyHex, privateKey: privateKeyHex });
    expect(patientSession.longLivedToken).toEqual(expect.any(String));
    expect(patientSession.user).toMatchObject({ id: invited.id, login: patientEmail, patientId: patient.id, status: 'ACTIVE' });
    // The short-lived token is used up.
    await expect(
      anonymousMedTechApi.authenticationApi.authenticateAndAskAccessToItsExistingData(patientUsername, patientToken),
    ).rejects.toMatchObject({ status: 401 });

    // tip: before the doctor shares anything, the patient reads the unencrypted administrative part of its record only.
    const patientApi = patientSession.api;
    expect(await patientApi.userApi.getLogged()).toMatchObject({ id: invited.id, status: 'ACTIVE' });
    expect(await patientApi.patientApi.getAdministrative(patient.id)).toMatchObject({
      id: patient.id,
      firstName: 'Argan',
      lastName: 'Poquelin',
      dateOfBirth: 19730210,
    });
    await expect(patientApi.patientApi.get(patient.id)).rejects.toMatchObject({ status: 404 });
    await expect(patientApi.dataSampleApi.get(dataSample.id)).rejects.toMatchObject({ status: 404 });
    expect((await patientApi.dataSampleApi.filterByPatient(patient.id)).rows).toEqual([]);

    // The public key is on the patient now.
    const withKey = await api.patientApi.get(patient.id);
    expect(withKey.systemMetaData.publicKeysForOaepWithSha256).toEqual([publicKeyHex]);

    // --- The Doctor Receives the Notification and Gives Back Access ---
    const newNotifications = await api.notificationApi.getPendingNotificationsAfter();
    const patientNotification = newNotifications.filter(
      (notification) => notification.type === NotificationTypeEnum.NEW_USER_OWN_DATA_ACCESS && notification.responsible === patient.id,
    )[0];
    expect(patientNotification).toMatchObject({
      id: expect.stringMatching(UUID),
      rev: expect.stringMatching(rev(1)),
      created: expect.any(Number),
      type: 'NEW_USER_OWN_DATA_ACCESS',
      status: 'pending',
      responsible: patient.id,
      author: invited.id,
      recipient: hcp.id,
    });
    expect((await api.notificationApi.getPendingNotificationsAfter(notifiedAfter)).map((n) => n.id)).toContain(patientNotification.id);

    const ongoingStatusUpdate: NotificationDto = await api.notificationApi.updateNotificationStatus(patientNotification, 'ongoing');
    expect(ongoingStatusUpdate).toMatchObject({ id: patientNotification.id, status: 'ongoing', rev: expect.stringMatching(rev(2)) });
    // The notification carries its rev: a status change based on an old copy is a conflict.
    await expect(api.notificationApi.updateNotificationStatus(patientNotification, 'cancelled')).rejects.toMatchObject({
      status: 409,
    });

    const sharedData = await api.patientApi.giveAccessToAllDataOf(patient.id);
    expect(sharedData.statuses).toEqual({
      dataSamples: { success: true, error: null, modified: 1 },
      healthcareElements: { success: true, error: null, modified: 0 },
      // The seed shows 0 here; Careid also makes the patient a delegate of its own full record (Careid's activation, unlike the seed).
      patient: { success: true, error: null, modified: 1 },
    });
    expect(sharedData.patient).toMatchObject({ id: patient.id, firstName: 'Argan' });
    expect(sharedData.patient.delegations).toEqual(expect.arrayContaining([hcp.id, patient.id]));

    const completedStatusUpdate = await api.notificationApi.updateNotificationStatus(ongoingStatusUpdate, 'completed');
    expect(completedStatusUpdate).toMatchObject({ status: 'completed', rev: expect.stringMatching(rev(3)) });
    // "otherwise you will risk getting old Notifications when filtering for the new pending ones"
    expect((await api.notificationApi.getPendingNotificationsAfter()).filter((n) => n.responsible === patient.id)).toEqual([]);

    // --- The patient, through its own SDK session, reads its data ---
    expect(await patientApi.dataSampleApi.get(dataSample.id)).toMatchObject({
      id: dataSample.id,
      patientId: patient.id,
      content: { en: { measureValue: { value: 72, unit: 'bpm' } } },
    });
    expect((await patientApi.dataSampleApi.filterByPatient(patient.id)).rows.map((sample) => sample.id)).toEqual([dataSample.id]);
    expect((await patientApi.patientApi.get(patient.id)).id).toBe(patient.id);
    // Patient users only read.
    await expect(patientApi.dataSampleApi.createOrModify(new DataSample({ patientId: patient.id, content: {} }))).rejects.toMatchObject({
      status: 403,
    });

    // Running the sharing again changes nothing.
    const again = await api.patientApi.giveAccessToAllDataOf(patient.id);
    expect(again.statuses.dataSamples.modified + again.statuses.healthcareElements.modified + again.statuses.patient.modified).toBe(0);

    // Later, the patient logs in again with its long-lived token.
    const nextVisit = new CareidApi({ baseUrl: host, login: patientUsername, password: patientSession.longLivedToken });
    expect((await nextVisit.dataSampleApi.get(dataSample.id)).id).toBe(dataSample.id);
  });

  it("the doctor's medical records: data samples and healthcare elements, created, modified, listed and deleted", async () => {
    const element = await api.healthcareElementApi.createOrModify(
      new HealthcareElement({ patientId: patient.id, content: { en: { stringValue: 'Hypochondria' } }, openingDate: 1700000000000 }),
    );
    expect(element).toMatchObject({
      rev: expect.stringMatching(rev(1)),
      patientId: patient.id,
      responsible: hcp.id,
      openingDate: 1700000000000,
    });
    const closed = await api.healthcareElementApi.createOrModify({ ...element, closingDate: 1700086400000 });
    expect(closed).toMatchObject({ id: element.id, rev: expect.stringMatching(rev(2)), closingDate: 1700086400000 });
    expect(await api.healthcareElementApi.get(element.id)).toEqual(closed);
    expect((await api.healthcareElementApi.filterByPatient(patient.id)).rows.map((row) => row.id)).toEqual([element.id]);
    expect((await api.healthcareElementApi.list()).rows.map((row) => row.id)).toContain(element.id);
    await expect(api.healthcareElementApi.createOrModify(element)).rejects.toMatchObject({ status: 409, code: 'REVISION_CONFLICT' });
    expect(await api.healthcareElementApi.delete(element.id)).toMatch(rev(3));
    await expect(api.healthcareElementApi.get(element.id)).rejects.toMatchObject({ status: 404 });

    const sample = await api.dataSampleApi.createOrModify(
      new DataSample({ patientId: patient.id, content: { en: { stringValue: 'draft' } } }),
    );
    const reviewed = await api.dataSampleApi.createOrModify({ ...sample, tags: { reviewed: true } });
    expect(reviewed).toMatchObject({ rev: expect.stringMatching(rev(2)), tags: { reviewed: true } });
    expect((await api.dataSampleApi.list({ limit: 1000 })).rows.map((row) => row.id)).toEqual(expect.arrayContaining([sample.id]));
    expect(await api.dataSampleApi.delete(sample.id)).toMatch(rev(3));
  });

  it('generates an RSA-OAEP key pair with WebCrypto when the provider returns none', async () => {
    const email = `${unique('beline')}@moliere.fr`;
    const other = await api.patientApi.createOrModify(
      new Patient({ firstName: 'Béline', addresses: [new Location({ telecoms: [new ContactPoint({ system: 'email', value: email })] })] }),
    );
    await api.userApi.createAndInviteUser(other);
    const [message] = await mail.waitFor(email);
    const anonymous = new AnonymousCareidApi({ baseUrl: host });

    const { keyPair, api: belineApi } = await anonymous.authenticationApi.authenticateAndAskAccessToItsExistingData(
      lineValue(message.text, 'Login'),
      lineValue(message.text, 'Token'),
    );

    const rsa = anonymous.cryptoApi.RSA;
    const publicKey = await rsa.importPublicKey(keyPair.publicKey);
    const privateKey = await rsa.importPrivateKey(keyPair.privateKey);
    expect(publicKey.algorithm).toMatchObject({ name: 'RSA-OAEP', modulusLength: 2048, hash: { name: 'SHA-256' } });
    // The pair works together: what the public key encrypts, the private key decrypts.
    const secret = new TextEncoder().encode('own data, own key');
    const encrypted = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, secret);
    expect(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, encrypted))).toBe('own data, own key');
    expect((await api.patientApi.get(other.id)).systemMetaData.publicKeysForOaepWithSha256).toEqual([keyPair.publicKey]);
    expect((await belineApi.userApi.getLogged()).patientId).toBe(other.id);
  });

  it('the doctor shares the patient with a colleague (patientApi.shareWith), then its records too', async () => {
    const colleague = await practitionerUser(host);
    await expect(colleague.api.patientApi.get(patient.id)).rejects.toMatchObject({ status: 404 });

    const shared = await api.patientApi.shareWith(patient.id, colleague.practitioner.id);

    expect(shared.delegations).toEqual(expect.arrayContaining([hcp.id, colleague.practitioner.id]));
    expect((await colleague.api.patientApi.get(patient.id)).id).toBe(patient.id);
    await expect(colleague.api.dataSampleApi.get(dataSample.id)).rejects.toMatchObject({ status: 404 });

    await api.patientApi.shareWith(patient.id, colleague.practitioner.id, { includeRecords: true });

    expect((await colleague.api.dataSampleApi.get(dataSample.id)).id).toBe(dataSample.id);
    await expect(api.patientApi.shareWith(patient.id, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 400,
      code: 'DATA_OWNER_NOT_FOUND',
    });
  });

  it('refuses a provider key that is not a hex SPKI RSA key, without spending the token', async () => {
    const calls: string[] = [];
    const anonymous = new AnonymousCareidApi({ baseUrl: host, fetch: (url, init) => (calls.push(url), fetch(url, init)) });
    await expect(
      anonymous.authenticationApi.authenticateAndAskAccessToItsExistingData('someone', 'token', async () => ({
        publicKey: 'not hex',
        privateKey: '00',
      })),
    ).rejects.toThrow(/not a hex-encoded SPKI RSA-OAEP key/);
    expect(calls).toEqual([]);
  });
});
