import type { components } from './generated/schema.js';

type Schemas = components['schemas'];

// --- What the API answers (read models), as the OpenAPI document types them ---

export type UserDto = Schemas['UserDto'];
export type PatientDto = Schemas['PatientDto'];
export type AdministrativePatientDto = Schemas['AdministrativePatientDto'];
export type PractitionerDto = Schemas['PractitionerDto'];
export type DataSampleDto = Schemas['DataSampleDto'];
export type HealthcareElementDto = Schemas['HealthcareElementDto'];
export type NotificationDto = Schemas['NotificationDto'];
export type InvitationDto = Schemas['InvitationDto'];
export type InvitationListDto = Schemas['InvitationListDto'];
export type TicketInspectionDto = Schemas['TicketInspectionDto'];
export type ActivationDto = Schemas['ActivationDto'];
export type DataSharingReport = Schemas['DataSharingReportDto'];
export type AccessPolicy = Schemas['AccessPolicyDto'];

/** One page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
}

/** `?limit=&cursor=` of every list. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

// --- What the seeds construct (write models): `new User({...})` copies the given fields ---

function model<T extends object>(name: string): new (fields: T) => T {
  const named = {
    [name]: class {
      constructor(fields: T) {
        Object.assign(this, fields);
      }
    },
  };
  return named[name] as unknown as new (fields: T) => T;
}

/** A user to create (no `rev`) or modify (`{ ...loaded, changes }`); `passwordHash` takes the plain password. */
export type User = Schemas['UserWriteDto'];
export const User = model<User>('User');

/** A patient to create (no `rev`) or modify (`{ ...loaded, changes }`). */
export type Patient = Schemas['PatientWriteDto'];
export const Patient = model<Patient>('Patient');

/** A practitioner (healthcare party) to create or modify. */
export type Practitioner = Schemas['PractitionerWriteDto'];
export const Practitioner = model<Practitioner>('Practitioner');

/** iCure's Location: an address with its telecoms. */
export type Location = Schemas['AddressDto'];
export const Location = model<Location>('Location');

/** iCure's ContactPoint: one telecom (email, mobile, phone, fax) of an address. */
export type ContactPoint = Schemas['TelecomDto'];
export const ContactPoint = model<ContactPoint>('ContactPoint');

export type PersonName = Schemas['PersonNameDto'];
export const PersonName = model<PersonName>('PersonName');

/** A data sample to create (`patientId`, `content`) or modify. */
export type DataSample = Schemas['DataSampleWriteDto'];
export const DataSample = model<DataSample>('DataSample');

/** A healthcare element to create (`patientId`, `content`) or modify. */
export type HealthcareElement = Schemas['HealthcareElementWriteDto'];
export const HealthcareElement = model<HealthcareElement>('HealthcareElement');

// --- The seeds' enums, checked against the schema's values ---

export const ContactPointTelecomTypeEnum = {
  EMAIL: 'email',
  MOBILE: 'mobile',
  PHONE: 'phone',
  FAX: 'fax',
} as const satisfies Record<string, ContactPoint['system']>;
export type ContactPointTelecomTypeEnum = (typeof ContactPointTelecomTypeEnum)[keyof typeof ContactPointTelecomTypeEnum];

export const LocationAddressTypeEnum = {
  HOME: 'home',
  WORK: 'work',
  VACATION: 'vacation',
  HOSPITAL: 'hospital',
  CLINIC: 'clinic',
  HQ: 'hq',
  OTHER: 'other',
  TEMPORARY: 'temporary',
  POSTAL: 'postal',
  DIPLOMATIC: 'diplomatic',
  REFERENCE: 'reference',
  CAREADDRESS: 'careaddress',
} as const satisfies Record<string, NonNullable<Location['addressType']>>;
export type LocationAddressTypeEnum = (typeof LocationAddressTypeEnum)[keyof typeof LocationAddressTypeEnum];

export const NotificationTypeEnum = {
  NEW_USER_OWN_DATA_ACCESS: 'NEW_USER_OWN_DATA_ACCESS',
  OTHER: 'OTHER',
} as const satisfies Record<string, NotificationDto['type']>;
export type NotificationTypeEnum = (typeof NotificationTypeEnum)[keyof typeof NotificationTypeEnum];

export type NotificationStatus = NotificationDto['status'];
