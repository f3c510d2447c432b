import type { Principal } from '@careid/identity';

export type ProfileType = 'Practitioner' | 'Patient';

export interface Contact {
  name: string;
  emails: string[];
  mobiles: string[];
}

/**
 * What invitations need from the practitioners and patients contexts. The
 * composition root provides it from their facades, so this context depends
 * on neither.
 * Required: Nest refuses to start when the root does not bind it.
 */
export interface ProfileDirectory {
  /** Creates the profile of an invited person and returns its id (joins the caller's transaction). */
  createProfile(type: ProfileType, person: { firstName?: string; lastName?: string; email: string }, actor: Principal): Promise<string>;
  profileExists(type: ProfileType, id: string): Promise<boolean>;
  /** A patient's contact, once the actor may read the patient (a "not found" DomainError otherwise). */
  patientContact(patientId: string, actor: Principal): Promise<Contact>;
  /** The contacts of those of `patientIds` the actor may read, by id; the others are left out. */
  patientContacts(patientIds: string[], actor: Principal): Promise<Map<string, Contact>>;
  practitionerContact(practitionerId: string): Promise<Contact | null>;
}

export const PROFILE_DIRECTORY = Symbol('PROFILE_DIRECTORY');
