import { withoutUndefined } from '../http/views';
import { assertVisibleText, cleanMobile } from './contact-values';

/**
 * The vocabulary patients and practitioners share (iCure's PersonName,
 * Location/Address and ContactPoint): both contexts hold people with names,
 * addresses and telecoms, and other contexts read their contacts.
 */
export const GENDERS = ['male', 'female', 'indeterminate', 'changed', 'changedToMale', 'changedToFemale', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

export const PERSON_NAME_USES = ['usual', 'official', 'temp', 'nickname', 'anonymous', 'maiden', 'old', 'other'] as const;
export type PersonNameUse = (typeof PERSON_NAME_USES)[number];

export const TELECOM_SYSTEMS = ['email', 'mobile', 'phone', 'fax'] as const;
export type TelecomSystem = (typeof TELECOM_SYSTEMS)[number];

export const ADDRESS_TYPES = [
  'home',
  'work',
  'vacation',
  'hospital',
  'clinic',
  'hq',
  'other',
  'temporary',
  'postal',
  'diplomatic',
  'reference',
  'careaddress',
] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

export interface PersonName {
  family?: string;
  given: string[];
  prefix: string[];
  suffix: string[];
  text?: string;
  use: PersonNameUse;
  start?: number;
  end?: number;
}

export interface Telecom {
  system: TelecomSystem;
  value: string;
  description?: string;
}

export interface Annotation {
  id?: string;
  author?: string;
  created?: number;
  modified?: number;
  text?: string;
  confidential?: boolean;
}

export interface Address {
  addressType?: AddressType;
  description?: string;
  street?: string;
  houseNumber?: string;
  postboxNumber?: string;
  postalCode?: string;
  city?: string;
  state?: string;
  country?: string;
  notes: Annotation[];
  telecoms: Telecom[];
}

/** The names written by a client, in iCure's key order, with the lists it always shows filled in. */
export function cleanNames(names: Partial<PersonName>[]): PersonName[] {
  return names.map((name) =>
    withoutUndefined({
      family: name.family,
      given: name.given ?? [],
      prefix: name.prefix ?? [],
      suffix: name.suffix ?? [],
      text: name.text,
      use: name.use ?? 'official',
      start: name.start,
      end: name.end,
    }),
  );
}

/** The official name iCure computes from `firstName`/`lastName`: text is the family name, then the given name ("Poquelin Argan"). */
export function officialNames(firstName: string | null | undefined, lastName: string | null | undefined): PersonName[] {
  if (!firstName && !lastName) return [];
  return [
    {
      ...(lastName ? { family: lastName } : {}),
      given: firstName ? [firstName] : [],
      prefix: [],
      suffix: [],
      text: [lastName, firstName].filter(Boolean).join(' '),
      use: 'official',
    },
  ];
}

/** `firstName`/`lastName` read back from a name list when a client gave only names: the official one, else the first. */
export function firstAndLastName(names: PersonName[]): { firstName: string | null; lastName: string | null } {
  const name = names.find((candidate) => candidate.use === 'official') ?? names[0];
  return { firstName: name?.given.length ? name.given.join(' ') : null, lastName: name?.family ?? null };
}

/** The lower-cased form names are searched by (NFC, collapsed spaces), computed in the app so that indexes can serve prefixes. */
export function searchKey(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** Both orders, so that a prefix of the family name or of the given name finds the person. */
export function nameSearchKeys(firstName: string | null, lastName: string | null): { familyFirst: string; givenFirst: string } {
  return {
    familyFirst: searchKey(`${lastName ?? ''} ${firstName ?? ''}`),
    givenFirst: searchKey(`${firstName ?? ''} ${lastName ?? ''}`),
  };
}

/** A LIKE pattern matching every key that starts with `prefix` (its wildcards escaped). */
export function prefixPattern(prefix: string): string {
  return `${searchKey(prefix).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A telecom's value as stored: mobile numbers in E.164 (400 INVALID_MOBILE when unparseable), emails without
 * invisible characters (400 INVALID_CHARACTERS): both are what invitations are sent to and logins are made of.
 */
function cleanTelecomValue(telecom: Telecom, field: string): string {
  if (typeof telecom.value !== 'string') return telecom.value;
  if (telecom.system === 'mobile') return cleanMobile(telecom.value, field);
  if (telecom.system === 'email') assertVisibleText(telecom.value, field);
  return telecom.value;
}

/** Addresses as stored and shown, in iCure's key order: every address has its `notes` and `telecoms` lists. */
export function cleanAddresses(addresses: Partial<Address>[]): Address[] {
  return addresses.map((address, a) =>
    withoutUndefined({
      addressType: address.addressType,
      description: address.description,
      street: address.street,
      houseNumber: address.houseNumber,
      postboxNumber: address.postboxNumber,
      postalCode: address.postalCode,
      city: address.city,
      state: address.state,
      country: address.country,
      notes: (address.notes ?? []).map((note) =>
        withoutUndefined({
          id: note.id,
          author: note.author,
          created: note.created,
          modified: note.modified,
          text: note.text,
          confidential: note.confidential,
        }),
      ),
      telecoms: (address.telecoms ?? []).map((telecom, t) =>
        withoutUndefined({
          system: telecom.system,
          value: cleanTelecomValue(telecom, `addresses[${a}].telecoms[${t}].value`),
          description: telecom.description,
        }),
      ),
    }),
  );
}

export interface ContactPoints {
  emails: string[];
  mobiles: string[];
}

/** The emails and mobile numbers found in addresses, in order, without duplicates. */
export function contactPointsOf(addresses: Address[]): ContactPoints {
  const emails = new Set<string>();
  const mobiles = new Set<string>();
  for (const telecom of addresses.flatMap((address) => address.telecoms)) {
    const value = telecom.value?.trim();
    if (!value) continue;
    if (telecom.system === 'email') emails.add(value);
    if (telecom.system === 'mobile') mobiles.add(value);
  }
  return { emails: [...emails], mobiles: [...mobiles] };
}

function nameSignature(name: PersonName): string {
  return JSON.stringify([name.family ?? null, name.given, name.prefix, name.suffix, name.text ?? null, name.use, name.start, name.end]);
}

function sameNames(a: PersonName[], b: PersonName[]): boolean {
  return a.length === b.length && a.every((name, i) => nameSignature(name) === nameSignature(b[i]));
}

export interface NamedPerson {
  firstName: string | null;
  lastName: string | null;
  names: PersonName[];
}

/**
 * The names of a person after a write. As in iCure, `names` is computed from
 * `firstName`/`lastName` when the client gives none; names the server
 * computed follow later changes of `firstName`/`lastName` (a round-tripped
 * GET carries them back unchanged); names the client wrote are kept, and
 * give `firstName`/`lastName` when those are missing.
 */
export function resolveNames(
  input: { firstName?: string | null; lastName?: string | null; names?: Partial<PersonName>[] },
  current?: NamedPerson,
): NamedPerson {
  let firstName = input.firstName !== undefined ? input.firstName : (current?.firstName ?? null);
  let lastName = input.lastName !== undefined ? input.lastName : (current?.lastName ?? null);
  const written = input.names !== undefined ? cleanNames(input.names) : (current?.names ?? []);
  const computedBefore = current !== undefined && sameNames(written, officialNames(current.firstName, current.lastName));
  if (!written.length || computedBefore) return { firstName, lastName, names: officialNames(firstName, lastName) };
  if (firstName === null && lastName === null) ({ firstName, lastName } = firstAndLastName(written));
  return { firstName, lastName, names: written };
}
