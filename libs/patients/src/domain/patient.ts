import { type Address, type Annotation, type Gender, type PersonName } from '@careid/shared';

export const DEACTIVATION_REASONS = ['deceased', 'moved', 'other_doctor', 'retired', 'no_contact', 'unknown', 'none'] as const;
export type DeactivationReason = (typeof DEACTIVATION_REASONS)[number];

export const PERSONAL_STATUSES = [
  'single',
  'in_couple',
  'married',
  'separated',
  'divorced',
  'divorcing',
  'widowed',
  'widower',
  'complicated',
  'unknown',
  'contract',
  'other',
  'annulled',
  'polygamous',
] as const;
export type PersonalStatus = (typeof PERSONAL_STATUSES)[number];

export interface CodingReference {
  id?: string;
  type?: string;
  code?: string;
  version?: string;
}

export interface Identifier {
  id?: string;
  assigner?: string;
  start?: string;
  end?: string;
  system?: string;
  type?: CodingReference;
  use?: string;
  value?: string;
}

export interface RelatedPerson {
  relationshipType?: string;
  relationshipStatus?: string;
  personId?: string;
}

export interface RelatedPractitioner {
  type?: string;
  healthcarePartyId?: string;
  encryptedSelf?: string;
}

/** iCure's crypto bookkeeping; the server fills it and only ever adds the patient's public keys. */
export interface SystemMetaData {
  hcPartyKeys: Record<string, unknown>;
  privateKeyShamirPartitions: Record<string, unknown>;
  secretForeignKeys: string[];
  cryptedForeignKeys: Record<string, unknown>;
  delegations: Record<string, unknown>;
  encryptionKeys: Record<string, unknown>;
  aesExchangeKeys: Record<string, unknown>;
  transferKeys: Record<string, unknown>;
  securityMetadata: { secureDelegations: Record<string, unknown>; keysEquivalences: Record<string, unknown> };
  /** The patient's RSA-OAEP (SHA-256) public keys, hex SPKI, set when its user activates. */
  publicKeysForOaepWithSha256: string[];
  tags: Record<string, unknown>;
}

export function emptySystemMetaData(): SystemMetaData {
  return {
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
  };
}

/** What a client writes on a patient and reads back as is (stored as one JSON document beside the indexed columns). */
export interface PatientDocument {
  firstName: string | null;
  lastName: string | null;
  names: PersonName[];
  identifiers: Identifier[];
  tags: Record<string, unknown>;
  codes: Record<string, unknown>;
  languages: string[];
  addresses: Address[];
  gender: Gender;
  birthSex: Gender;
  mergedIds: string[];
  active: boolean;
  deactivationReason: DeactivationReason;
  personalStatus: PersonalStatus;
  notes: Annotation[];
  relatives: RelatedPerson[];
  patientPractitioners: RelatedPractitioner[];
  patientProfessions: CodingReference[];
  properties: Record<string, unknown>;
}

export interface Patient extends PatientDocument {
  id: string;
  rev: string;
  created: number;
  modified: number;
  deletionDate: number | null;
  /** The user who created the patient. */
  author: string | null;
  /** The data owner (practitioner) who created the patient. */
  responsible: string | null;
  ssin: string | null;
  /** YYYYMMDD */
  dateOfBirth: number | null;
  systemMetaData: SystemMetaData;
  /** Data owners holding a delegation: those who may read the patient. */
  delegations: string[];
}

/** What a client may write on a patient (the DTO after validation); server-managed fields are not part of it. */
export type PatientInput = Partial<Omit<PatientDocument, 'names' | 'addresses'>> & {
  id?: string;
  rev?: string;
  names?: Partial<PersonName>[];
  addresses?: Partial<Address>[];
  ssin?: string | null;
  dateOfBirth?: number | null;
};

/** Whether `value` is a YYYYMMDD integer naming a real calendar date (20230230 is not). */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 10000101 || value > 99991231) return false;
  const year = Math.floor(value / 10000);
  const month = Math.floor(value / 100) % 100;
  const day = value % 100;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** What the invitation flow needs to reach a patient. */
export interface PatientContact {
  id: string;
  firstName: string | null;
  lastName: string | null;
  names: PersonName[];
  emails: string[];
  mobiles: string[];
}
