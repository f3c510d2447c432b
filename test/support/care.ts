import { HttpClient } from './http';
import { createUser, loginAs, unique } from './session';

/** Practitioners, patients and their users through the API, as a clinic would set them up. */
export function telecoms(contact: { email?: string; mobile?: string }) {
  return [
    ...(contact.email ? [{ system: 'email', value: contact.email }] : []),
    ...(contact.mobile ? [{ system: 'mobile', value: contact.mobile }] : []),
  ];
}

export async function createPractitionerUser(
  admin: HttpClient,
  contact: { email?: string; mobile?: string } = {},
  names = { firstName: 'Hippo', lastName: 'Crates' },
) {
  const practitioner = await admin.post('/api/v1/practitioners', {
    ...names,
    addresses: contact.email || contact.mobile ? [{ addressType: 'work', telecoms: telecoms(contact) }] : [],
  });
  if (practitioner.status !== 201) throw new Error(`create practitioner: ${practitioner.status} ${practitioner.text}`);
  const { user, login, password } = await createUser(admin, { healthcarePartyId: practitioner.body.id, login: unique('hcp') });
  const client = await loginAs(admin, login, password);
  return { practitioner: practitioner.body, user, login, password, client };
}

export async function createPatient(
  practitioner: HttpClient,
  contact: { email?: string; mobile?: string } = {},
  extra: Record<string, unknown> = {},
) {
  const response = await practitioner.post('/api/v1/patients', {
    firstName: 'Argan',
    lastName: 'Poquelin',
    addresses: contact.email || contact.mobile ? [{ addressType: 'home', telecoms: telecoms(contact) }] : [],
    dateOfBirth: 19730210,
    ssin: '1973021014722',
    ...extra,
  });
  if (response.status !== 201) throw new Error(`create patient: ${response.status} ${response.text}`);
  return response.body;
}
