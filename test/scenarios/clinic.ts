import { CareidApi, ContactPoint, ContactPointTelecomTypeEnum, Location, LocationAddressTypeEnum, Practitioner, User } from '@careid/sdk';
import { unique } from '../support/session';
import { TEST_ADMIN } from '../support/test-app';

/** The seeded admin, through the SDK. */
export function adminApi(baseUrl: string): CareidApi {
  return new CareidApi({ baseUrl, ...TEST_ADMIN });
}

/**
 * A practitioner and its user, set up by the admin as a clinic would; `api` is logged in as that user.
 * The seeds' `api` is such a user (with the ADMIN role in "Handling users", which creates users for others).
 */
export async function practitionerUser(baseUrl: string, options: { email?: string; mobile?: string; roles?: string[] } = {}) {
  const admin = adminApi(baseUrl);
  const telecoms = [
    ...(options.email ? [new ContactPoint({ system: ContactPointTelecomTypeEnum.EMAIL, value: options.email })] : []),
    ...(options.mobile ? [new ContactPoint({ system: ContactPointTelecomTypeEnum.MOBILE, value: options.mobile })] : []),
  ];
  const practitioner = await admin.practitionerApi.createOrModify(
    new Practitioner({
      firstName: 'Jean-Baptiste',
      lastName: 'Purgon',
      addresses: telecoms.length ? [new Location({ addressType: LocationAddressTypeEnum.WORK, telecoms })] : [],
    }),
  );
  const login = unique('hcp');
  const password = 'practitioner password for tests';
  const user = await admin.userApi.createOrModify(
    new User({ login, passwordHash: password, roles: options.roles ?? [], healthcarePartyId: practitioner.id }),
  );
  return { api: new CareidApi({ baseUrl, login, password }), practitioner, user, login, password };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const rev = (n: number) => new RegExp(`^${n}-[0-9a-f]{32}$`);
