import {
  CareidApi,
  CareidApiError,
  ContactPoint,
  ContactPointTelecomTypeEnum,
  Location,
  LocationAddressTypeEnum,
  Patient,
  User,
  UserFilter,
  type PatientDto,
  type PractitionerDto,
  type UserDto,
} from '@careid/sdk';
import { lineValue, TestMailServer } from '../support/mail-server';
import { startTestApp, TestApp } from '../support/test-app';
import { practitionerUser, rev, UUID } from './clinic';

/** Keys the seed's user JSON shows; Careid returns these and more (permissions, type, status, use2fa, ...). */
const SEED_USER_KEYS = [
  'id',
  'rev',
  'created',
  'properties',
  'roles',
  'login',
  'groupId',
  'sharingDataWith',
  'email',
  'authenticationTokens',
];

/**
 * iCure's "Handling users" guide, block by block, through the SDK. The blocks build on each other, so the
 * tests run in order and share what the seed's variables hold.
 */
describe('iCure\'s "Handling users", through @careid/sdk', () => {
  const mail = new TestMailServer();
  let t: TestApp;
  let api: CareidApi;
  //4 random characters to guarantee login uniqueness
  const uniqueId = Math.random().toString(36).substring(4);
  let createdUser: UserDto;
  let loggedUser: UserDto;
  let loggedPractitioner: PractitionerDto;
  let createdPatient: PatientDto;
  let createdPatientUser: UserDto;

  beforeAll(async () => {
    await mail.start();
    t = await startTestApp({ env: { SMTP_URL: mail.url } });
    // The seed's `api`: a practitioner's user who is also an admin (it creates users and tokens for others).
    ({ api } = await practitionerUser(t.baseUrl, { roles: ['ADMIN'] }));
  });
  afterAll(async () => {
    await t.close();
    await mail.stop();
  });

  it('Creating a user', async () => {
    const userToCreate = new User({
      login: `john${uniqueId}`,
      email: `john${uniqueId}@hospital.care`,
      passwordHash: 'correct horse battery staple',
    });

    createdUser = await api.userApi.createOrModify(userToCreate);

    expect(Object.keys(createdUser)).toEqual(expect.arrayContaining(SEED_USER_KEYS));
    expect(createdUser).toMatchObject({
      id: expect.stringMatching(UUID),
      rev: expect.stringMatching(rev(1)),
      created: expect.any(Number),
      properties: {},
      roles: [], // the seed shows `{}`; Careid's roles are an array (UserDto)
      login: `john${uniqueId}`,
      passwordHash: '*',
      groupId: 'default',
      sharingDataWith: {},
      email: `john${uniqueId}@hospital.care`,
      authenticationTokens: {},
      status: 'ACTIVE',
    });
  });

  it('caution: the login and email must be unique (400, as a typed CareidApiError)', async () => {
    const duplicate = api.userApi.createOrModify(new User({ login: `JOHN${uniqueId}`, passwordHash: 'another password' }));
    await expect(duplicate).rejects.toBeInstanceOf(CareidApiError);
    await expect(duplicate).rejects.toMatchObject({ status: 400, code: 'DUPLICATE_LOGIN', requestId: expect.any(String) });
    const sameEmail = api.userApi.createOrModify(new User({ login: `other${uniqueId}`, email: createdUser.email }));
    await expect(sameEmail).rejects.toMatchObject({ status: 400, code: 'DUPLICATE_EMAIL' });
  });

  it('Creating a temporary authentication token for a User', async () => {
    const token = await api.userApi.createToken(createdUser.id, 3600);

    expect(token).toEqual(expect.any(String));
    // Now it will be possible for the user to log in using the newly created token.
    const john = new CareidApi({ baseUrl: t.baseUrl, login: createdUser.login, password: token });
    expect((await john.userApi.getLogged()).id).toBe(createdUser.id);
    // A user can always create a token for itself, but only admins can create tokens for other users.
    expect(await john.userApi.createToken(createdUser.id, 60)).toEqual(expect.any(String));
    const me = await api.userApi.getLogged();
    await expect(john.userApi.createToken(me.id, 60)).rejects.toMatchObject({ status: 403 });
  });

  it('Creating a user associated to a patient (createAndInviteFor)', async () => {
    loggedUser = await api.userApi.getLogged();
    loggedPractitioner = await api.practitionerApi.get(loggedUser.healthcarePartyId!);

    if (!loggedPractitioner.addresses.find((a) => a.telecoms?.some((t) => t.system === ContactPointTelecomTypeEnum.EMAIL && !!t.value))) {
      //An email address is required for the healthcare professional to send the invitation
      loggedPractitioner.addresses.push(
        new Location({
          telecoms: [
            new ContactPoint({
              system: ContactPointTelecomTypeEnum.EMAIL,
              value: `hcp${uniqueId}@hospital.care`,
            }),
          ],
        }),
      );
      // The seed stops here; the address is the invitation's reply-to, so Careid needs it saved.
      loggedPractitioner = await api.practitionerApi.createOrModify(loggedPractitioner);
    }

    const patientToCreate = new Patient({
      firstName: 'Argan',
      lastName: 'Poquelin',
      addresses: [
        new Location({
          addressType: LocationAddressTypeEnum.HOME,
          telecoms: [
            new ContactPoint({
              system: ContactPointTelecomTypeEnum.EMAIL,
              value: `argan${uniqueId}@moliere.fr`,
            }),
          ],
        }),
      ],
      dateOfBirth: 19730210,
      ssin: '1973021014722',
    });
    createdPatient = await api.patientApi.createOrModify(patientToCreate);

    createdPatientUser = await api.userApi.createAndInviteFor(createdPatient);

    expect(loggedPractitioner.rev).toMatch(rev(2));
    expect(createdPatient).toMatchObject({
      id: expect.stringMatching(UUID),
      rev: expect.stringMatching(rev(1)),
      identifiers: [],
      created: expect.any(Number),
      modified: expect.any(Number),
      author: loggedUser.id,
      responsible: loggedPractitioner.id,
      tags: {},
      codes: {},
      names: [{ family: 'Poquelin', given: ['Argan'], prefix: [], suffix: [], text: 'Poquelin Argan', use: 'official' }],
      languages: [],
      addresses: [{ addressType: 'home', notes: [], telecoms: [{ system: 'email', value: `argan${uniqueId}@moliere.fr` }] }],
      gender: 'unknown',
      birthSex: 'unknown',
      mergedIds: [],
      active: true,
      deactivationReason: 'none',
      ssin: '1973021014722',
      personalStatus: 'unknown',
      dateOfBirth: 19730210,
      notes: [],
      relatives: [],
      patientPractitioners: [],
      patientProfessions: [],
      properties: {},
      systemMetaData: {
        hcPartyKeys: {},
        privateKeyShamirPartitions: {},
        secretForeignKeys: [],
        cryptedForeignKeys: {},
        delegations: {},
        encryptionKeys: {},
        aesExchangeKeys: {},
        transferKeys: {},
        securityMetadata: { secureDelegations: {}, keysEquivalences: {} },
        publicKeysForOaepWithSha256: [],
        tags: {},
      },
      firstName: 'Argan',
      lastName: 'Poquelin',
    });
    expect(createdPatient.delegations).toEqual([loggedPractitioner.id]);

    expect(Object.keys(createdPatientUser)).toEqual(expect.arrayContaining([...SEED_USER_KEYS, 'name', 'patientId']));
    expect(createdPatientUser).toMatchObject({
      id: expect.stringMatching(UUID),
      rev: expect.stringMatching(rev(1)),
      created: expect.any(Number),
      name: `argan${uniqueId}@moliere.fr`,
      properties: {},
      roles: [],
      login: `argan${uniqueId}@moliere.fr`,
      groupId: 'default',
      patientId: createdPatient.id,
      sharingDataWith: {},
      email: `argan${uniqueId}@moliere.fr`,
      status: 'REGISTERING',
    });
    expect(createdPatientUser.passwordHash).toBeUndefined();

    // note: the patient gets a mail with its login and a temporary password (the token)
    const [message] = await mail.waitFor(`argan${uniqueId}@moliere.fr`);
    expect(lineValue(message.text, 'Login')).toBe(`argan${uniqueId}@moliere.fr`);
    expect(lineValue(message.text, 'Token')).toEqual(expect.any(String));
    expect(message.replyTo).toBe(`hcp${uniqueId}@hospital.care`);
  });

  it('caution: the patient needs an email or a mobile not used by another user', async () => {
    const noContact = await api.patientApi.createOrModify(new Patient({ firstName: 'Toinette', lastName: 'Servante' }));
    await expect(api.userApi.createAndInviteUser(noContact)).rejects.toMatchObject({ status: 400, code: 'PATIENT_HAS_NO_CONTACT' });
    const sameEmail = await api.patientApi.createOrModify(
      new Patient({
        firstName: 'Béline',
        addresses: [new Location({ telecoms: [new ContactPoint({ system: 'email', value: createdUser.email! })] })],
      }),
    );
    await expect(api.userApi.createAndInviteUser(sameEmail)).rejects.toMatchObject({ status: 400, code: 'EMAIL_ALREADY_USED' });
  });

  it('Loading a user by id', async () => {
    const loadedUser = await api.userApi.get(createdUser.id);

    expect(loadedUser).toMatchObject({
      id: createdUser.id,
      // The seed shows 2-: iCure keeps tokens inside the user; Careid keeps them beside it, so the token left the rev alone.
      rev: createdUser.rev,
      created: createdUser.created,
      properties: {},
      roles: [],
      login: `john${uniqueId}`,
      passwordHash: '*',
      groupId: 'default',
      sharingDataWith: {},
      email: `john${uniqueId}@hospital.care`,
    });
    // The two tokens made above, by key, with their creation time and validity but never their value.
    expect(Object.values(loadedUser.authenticationTokens)).toEqual(
      expect.arrayContaining([
        { creationTime: expect.any(Number), validity: 3600 },
        { creationTime: expect.any(Number), validity: 60 },
      ]),
    );
  });

  it('Loading a user by email', async () => {
    const loadedUserByEmail = await api.userApi.getByEmail(createdUser.email!);

    expect(loadedUserByEmail).toEqual(await api.userApi.get(createdUser.id));
    expect((await api.userApi.getByEmail(createdUser.email!.toUpperCase())).id).toBe(createdUser.id);
    await expect(api.userApi.getByEmail(`nobody${uniqueId}@hospital.care`)).rejects.toMatchObject({ status: 404 });
  });

  it('Filtering users: by patient id, by ids, by healthcare party id', async () => {
    const users = await api.userApi.filterBy(await new UserFilter(api).byPatientId(createdPatient.id).build());

    expect(users).toEqual({
      rows: [
        expect.objectContaining({
          id: createdPatientUser.id,
          name: `argan${uniqueId}@moliere.fr`,
          login: `argan${uniqueId}@moliere.fr`,
          patientId: createdPatient.id,
          email: `argan${uniqueId}@moliere.fr`,
          properties: {},
          roles: [],
          sharingDataWith: {},
        }),
      ],
      nextCursor: null,
    });

    const byIds = await api.userApi.filterBy(await new UserFilter(api).byIds([createdUser.id, createdPatientUser.id]).build());
    expect(byIds.rows.map((user) => user.id).sort()).toEqual([createdUser.id, createdPatientUser.id].sort());
    const byPractitioner = await api.userApi.filterBy(await new UserFilter(api).byHealthcarePartyId(loggedPractitioner.id).build());
    expect(byPractitioner.rows.map((user) => user.id)).toEqual([loggedUser.id]);
    const onePage = await api.userApi.filterBy(await new UserFilter(api).build(), { limit: 1 });
    expect(onePage.rows).toHaveLength(1);
    expect(onePage.nextCursor).toEqual(expect.any(String));
  });

  it('Update a user', async () => {
    const userToModify = await api.userApi.get(createdUser.id);
    const modifiedUser = await api.userApi.createOrModify(new User({ ...userToModify, passwordHash: 'wrong horse battery staple' }));

    expect(modifiedUser).toMatchObject({
      id: createdUser.id,
      rev: expect.stringMatching(rev(2)),
      created: createdUser.created,
      properties: {},
      roles: [],
      login: `john${uniqueId}`,
      passwordHash: '*',
      groupId: 'default',
      sharingDataWith: {},
      email: `john${uniqueId}@hospital.care`,
    });
    const withNewPassword = new CareidApi({ baseUrl: t.baseUrl, login: createdUser.login, password: 'wrong horse battery staple' });
    expect((await withNewPassword.userApi.getLogged()).id).toBe(createdUser.id);
    const withOldPassword = new CareidApi({ baseUrl: t.baseUrl, login: createdUser.login, password: 'correct horse battery staple' });
    await expect(withOldPassword.userApi.getLogged()).rejects.toMatchObject({ status: 401 });
    // The loaded user is now stale: writing it again is a conflict.
    await expect(api.userApi.createOrModify(new User({ ...userToModify, name: 'John' }))).rejects.toMatchObject({
      status: 409,
      code: 'REVISION_CONFLICT',
    });
  });

  it('Delete a user', async () => {
    const deletedUserId = await api.userApi.delete(createdUser.id);

    expect(deletedUserId).toMatch(rev(3));
    await expect(api.userApi.get(createdUser.id)).rejects.toMatchObject({ status: 404 });
    const deleted = new CareidApi({ baseUrl: t.baseUrl, login: createdUser.login, password: 'wrong horse battery staple' });
    await expect(deleted.userApi.getLogged()).rejects.toMatchObject({ status: 401 });
  });
});
