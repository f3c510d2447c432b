import { HttpClient } from '../support/http';
import { createUser, loginAs, unique } from '../support/session';

export type Session = HttpClient & { tokens: any };

function expectStatus(response: { status: number; text: string }, status: number, what: string): void {
  if (response.status !== status) throw new Error(`${what} failed: ${response.status} ${response.text}`);
}

/** Admin creates a practitioner, then a user standing for it; returns the practitioner and that user's session. */
export async function practitionerUser(http: HttpClient, admin: HttpClient, userFields: Record<string, unknown> = {}) {
  const lastName = unique('Purgon');
  const created = await admin.post('/api/v1/practitioners', {
    firstName: 'Jean',
    lastName,
    speciality: 'General practice',
    addresses: [{ addressType: 'work', telecoms: [{ system: 'email', value: `${lastName.toLowerCase()}@hospital.care` }] }],
  });
  expectStatus(created, 201, 'create practitioner');
  const { user, login, password } = await createUser(admin, { healthcarePartyId: created.body.id, ...userFields });
  const session = (await loginAs(http, login, password)) as Session;
  return { practitioner: created.body, user, session };
}

/** Admin creates a user standing for an existing patient; returns that user's session. */
export async function patientUser(http: HttpClient, admin: HttpClient, patientId: string, userFields: Record<string, unknown> = {}) {
  const { user, login, password } = await createUser(admin, { patientId, ...userFields });
  const session = (await loginAs(http, login, password)) as Session;
  return { user, session };
}

export async function createPatient(client: HttpClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/api/v1/patients', { firstName: 'Argan', lastName: unique('Poquelin'), ...fields });
  expectStatus(response, 201, 'create patient');
  return response.body;
}

export async function createRecord(client: HttpClient, kind: 'data-samples' | 'healthcare-elements', patientId: string, fields = {}) {
  const response = await client.post(`/api/v1/${kind}`, { patientId, content: { en: { value: unique('v') } }, ...fields });
  expectStatus(response, 201, `create ${kind}`);
  return response.body;
}

export const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Admin creates an invited (REGISTERING) user for an existing patient and a token for it: what the patient
 * activates with, once (POST /auth/activate), as after an invitation.
 */
export async function registeringPatientUser(admin: HttpClient, patientId: string) {
  const { user } = await createUser(admin, { patientId, status: 'REGISTERING' });
  const created = await admin.post(`/api/v1/users/${user.id}/tokens`, { validitySeconds: 600 });
  expectStatus(created, 201, 'create activation token');
  return { user, token: created.body.token as string };
}
