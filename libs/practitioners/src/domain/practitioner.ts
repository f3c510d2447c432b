import { type Address, type Gender, type PersonName } from '@careid/shared';

/** A healthcare party: the practitioner a user may stand for. */
export interface Practitioner {
  id: string;
  rev: string;
  created: number;
  modified: number;
  deletionDate: number | null;
  firstName: string | null;
  lastName: string | null;
  names: PersonName[];
  gender: Gender;
  speciality: string | null;
  addresses: Address[];
  languages: string[];
  properties: Record<string, unknown>;
}

/** What a client may write on a practitioner (the DTO after validation). */
export interface PractitionerInput {
  id?: string;
  rev?: string;
  firstName?: string | null;
  lastName?: string | null;
  names?: Partial<PersonName>[];
  gender?: Gender;
  speciality?: string | null;
  addresses?: Partial<Address>[];
  languages?: string[];
  properties?: Record<string, unknown>;
}

/** What the invitation flow needs to write to a practitioner and sign a message. */
export interface PractitionerContact {
  id: string;
  firstName: string | null;
  lastName: string | null;
  names: PersonName[];
  emails: string[];
  mobiles: string[];
}
