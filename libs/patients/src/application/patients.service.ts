import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Action, Principal, principalMay } from '@careid/identity';
import { PractitionersService } from '@careid/practitioners';
import {
  cleanAddresses,
  contactPointsOf,
  DataOwnerIds,
  DomainError,
  domainError,
  firstRev,
  nameSearchKeys,
  nextRev,
  Page,
  registerUniqueConstraintCode,
  resolveNames,
  TransactionHost,
} from '@careid/shared';
import { delegatesOnCreate, mayAccessPatient, mayReadAdministrative, readScopeOf } from '../domain/access-rules';
import { RECORD_KINDS, RecordKind } from '../domain/medical-record';
import { emptySystemMetaData, Patient, PatientContact, PatientDocument, PatientInput } from '../domain/patient';
import { PatientsErrors } from '../domain/patients.errors';
import { MedicalRecordsRepository } from '../infrastructure/medical-records.repository';
import { PatientColumns, PatientQuery, PatientsRepository } from '../infrastructure/patients.repository';
import { MedicalDataAudit } from './medical-data-audit';

registerUniqueConstraintCode(
  'ck_patients_date_of_birth',
  PatientsErrors.INVALID_DATE_OF_BIRTH.code,
  PatientsErrors.INVALID_DATE_OF_BIRTH.message,
);

const PUBLIC_KEY_HEX = /^(?:[0-9a-f]{2}){16,4096}$/;

export interface PatientFilter {
  name?: string;
  ssin?: string;
  dateOfBirth?: number;
}

/** The outcome of adding a delegate to a patient and, optionally, to its records. */
export interface AccessGrant {
  patient: Patient;
  patientModified: boolean;
  /** Per record kind: the records that gained the delegate, or null when the caller's access policy kept that kind out. */
  records: Record<RecordKind, string[] | null>;
}

/**
 * The patients context's facade: patient use cases for the HTTP layer, and
 * what other contexts need (existence, contact for invitations, the data
 * owners to notify). The permission guard has checked the caller's role and
 * access policy; delegations decide which patients it may touch (404 for
 * the others, exactly as if they did not exist).
 */
@Injectable()
export class PatientsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly patients: PatientsRepository,
    private readonly records: MedicalRecordsRepository,
    private readonly dataOwnerIds: DataOwnerIds,
    private readonly practitioners: PractitionersService,
    private readonly audit: MedicalDataAudit,
  ) {}

  async create(input: PatientInput, actor: Principal): Promise<Patient> {
    const now = Date.now();
    const id = input.id?.toLowerCase() ?? randomUUID();
    return this.tx.run(async () => {
      await this.dataOwnerIds.claim(id, 'patient');
      const patient = await this.patients.insert(
        {
          id,
          created: now,
          author: actor.userId,
          responsible: actor.dataOwnerId,
          systemMetaData: emptySystemMetaData(),
          ...this.columns(input, firstRev(), now),
        },
        delegatesOnCreate(actor),
      );
      await this.audit.succeeded('Patient', 'create', patient.id, { delegations: patient.delegations });
      return patient;
    });
  }

  async get(id: string, actor: Principal): Promise<Patient> {
    const patient = await this.getAccessible(id, actor, 'read');
    await this.audit.succeeded('Patient', 'read', id);
    return patient;
  }

  /** The administrative part: for the patient's delegates, and always for the patient's own user. */
  async getAdministrative(id: string, actor: Principal): Promise<Patient> {
    const patient = await this.patients.findById(id);
    if (!patient || !mayReadAdministrative(actor, patient)) {
      await this.audit.refused('Patient', 'read', id, patient !== null, { view: 'administrative' });
      throw this.notFound();
    }
    await this.audit.succeeded('Patient', 'read', id, { view: 'administrative' });
    return patient;
  }

  /** The patients the caller may read, nothing else: a list never tells that others exist. */
  async filter(filter: PatientFilter, actor: Principal, limit: number, cursor?: string): Promise<Page<Patient>> {
    const query: PatientQuery = { namePrefix: filter.name, ssin: filter.ssin, dateOfBirth: filter.dateOfBirth };
    const page = await this.patients.filter(readScopeOf(actor), query, limit, cursor);
    await this.audit.succeeded('Patient', 'read', null, {
      list: true,
      // Which filters, not their values: a name prefix is personal data.
      filters: Object.keys(filter).filter((key) => filter[key as keyof PatientFilter] !== undefined),
      count: page.rows.length,
      ids: page.rows.map((patient) => patient.id),
    });
    return page;
  }

  async modify(id: string, input: PatientInput, actor: Principal): Promise<Patient> {
    if (!input.rev) throw domainError(PatientsErrors.REV_REQUIRED);
    if (input.id && input.id.toLowerCase() !== id) throw domainError(PatientsErrors.ID_MISMATCH);
    const current = await this.getAccessible(id, actor, 'update');
    return this.tx.run(async () => {
      if (!(await this.patients.replaceIfRev(id, input.rev!, this.columns(input, nextRev(input.rev!), Date.now(), current)))) {
        throw await this.staleOrMissing(id);
      }
      await this.audit.succeeded('Patient', 'update', id);
      return (await this.patients.findById(id))!;
    });
  }

  async delete(id: string, actor: Principal): Promise<{ id: string; rev: string }> {
    await this.getAccessible(id, actor, 'delete');
    return this.tx.run(async () => {
      const deleted = await this.patients.softDelete(id, Date.now());
      if (!deleted) throw this.notFound();
      await this.audit.succeeded('Patient', 'delete', id);
      return deleted;
    });
  }

  /** A delegate of the patient shares it (and, with `includeRecords`, the records it can read) with another data owner. */
  async addDelegation(id: string, input: { dataOwnerId: string; includeRecords?: boolean }, actor: Principal): Promise<Patient> {
    await this.getAccessible(id, actor, 'update');
    const dataOwnerId = input.dataOwnerId.toLowerCase();
    if (!(await this.practitioners.practitionerExists(dataOwnerId)) && !(await this.patients.exists(dataOwnerId))) {
      throw domainError(PatientsErrors.DATA_OWNER_NOT_FOUND);
    }
    return this.tx.run(async () => {
      const grant = await this.grantAccess(id, dataOwnerId, input.includeRecords ?? false, actor);
      await this.audit.succeeded('Patient', 'update', id, {
        delegationAdded: dataOwnerId,
        patientModified: grant.patientModified,
        records: grant.records,
      });
      return grant.patient;
    });
  }

  // --- for this context's use cases ---

  /** The live patient, if the caller may touch it; otherwise the refusal is audited and the answer is "not found". */
  async getAccessible(id: string, actor: Principal, action: Action): Promise<Patient> {
    const patient = await this.patients.findById(id);
    if (patient && mayAccessPatient(actor, patient)) return patient;
    await this.audit.refused('Patient', action, id, patient !== null);
    throw this.notFound();
  }

  /**
   * Adds `dataOwnerId` as delegate to the patient and, with `includeRecords`,
   * to each of its records the caller can read and its access policy lets it
   * update. Grants on one patient run one after the other (row lock), so
   * concurrent grants never both count a record.
   */
  async grantAccess(patientId: string, dataOwnerId: string, includeRecords: boolean, actor: Principal): Promise<AccessGrant> {
    return this.tx.run(async () => {
      if (!(await this.patients.lockLive(patientId))) throw this.notFound();
      const now = Date.now();
      const patientModified = await this.patients.addDelegate(patientId, dataOwnerId, now);
      const kinds = RECORD_KINDS.filter((kind) => includeRecords && principalMay(actor, kind, 'update'));
      const granted = kinds.length
        ? await this.records.addDelegateToRecordsOfPatient(patientId, dataOwnerId, kinds, readScopeOf(actor), now)
        : [];
      const records = Object.fromEntries(
        RECORD_KINDS.map((kind) => [kind, kinds.includes(kind) ? granted.filter((r) => r.kind === kind).map((r) => r.id) : null]),
      ) as AccessGrant['records'];
      return { patient: (await this.patients.findById(patientId))!, patientModified, records };
    });
  }

  // --- for other contexts ---

  patientExists(id: string): Promise<boolean> {
    return this.patients.exists(id);
  }

  /** Those of `ids` (UUIDs) that name a live patient. */
  existingIds(ids: string[]): Promise<string[]> {
    return this.patients.liveIds(ids);
  }

  /** Names, emails and mobile numbers of a patient the caller may read (404 otherwise): what an invitation is sent to. */
  async getContact(id: string, actor: Principal): Promise<PatientContact> {
    const patient = await this.getAccessible(id, actor, 'read');
    await this.audit.succeeded('Patient', 'read', id, { view: 'contact' });
    const { firstName, lastName, names, addresses } = patient;
    return { id, firstName, lastName, names, ...contactPointsOf(addresses) };
  }

  /**
   * The contacts of those of `ids` the caller may read (a bulk invitation's batch), each read audited as `getContact`
   * audits it. The others are left out, unaudited: the caller reads them one by one for their refusal.
   */
  async getContacts(ids: string[], actor: Principal): Promise<PatientContact[]> {
    const readable = (await this.patients.findByIds(ids)).filter((patient) => mayAccessPatient(actor, patient));
    await this.audit.succeededMany(
      'Patient',
      'read',
      readable.map((patient) => patient.id),
      { view: 'contact' },
    );
    return readable.map(({ id, firstName, lastName, names, addresses }) => ({
      id,
      firstName,
      lastName,
      names,
      ...contactPointsOf(addresses),
    }));
  }

  /** The data owners holding a delegation on a live patient (e.g. the practitioners to notify). */
  dataOwnersWithDelegation(patientId: string): Promise<string[]> {
    return this.patients.delegatesOf(patientId);
  }

  /** Adds a public key (hex SPKI, RSA-OAEP with SHA-256) to the patient's systemMetaData, once. */
  async storePublicKey(patientId: string, publicKeyHex: string): Promise<void> {
    const publicKey = publicKeyHex.trim().toLowerCase();
    if (!PUBLIC_KEY_HEX.test(publicKey)) throw domainError(PatientsErrors.INVALID_PUBLIC_KEY);
    await this.tx.run(async () => {
      const outcome = await this.patients.addPublicKey(patientId, publicKey, Date.now());
      if (outcome === 'missing') throw domainError(PatientsErrors.PATIENT_OF_USER_NOT_FOUND);
      if (outcome === 'added') {
        await this.audit.succeeded('Patient', 'update', patientId, { fields: ['systemMetaData.publicKeysForOaepWithSha256'] });
      }
    });
  }

  /** The client's fields of a write: on modify, a field left out (or null, where null means nothing) keeps its value. */
  private columns(input: PatientInput, rev: string, now: number, current?: Patient): PatientColumns {
    const { firstName, lastName, names } = resolveNames(input, current);
    const keys = nameSearchKeys(firstName, lastName);
    const pick = <K extends keyof PatientDocument>(key: K, fallback: PatientDocument[K]): PatientDocument[K] =>
      ((input as Partial<PatientDocument>)[key] ?? current?.[key] ?? fallback) as PatientDocument[K];
    return {
      rev,
      modified: now,
      ssin: input.ssin !== undefined ? input.ssin : (current?.ssin ?? null),
      dateOfBirth: input.dateOfBirth !== undefined ? input.dateOfBirth : (current?.dateOfBirth ?? null),
      familyFirstKey: keys.familyFirst,
      givenFirstKey: keys.givenFirst,
      document: {
        firstName,
        lastName,
        names,
        identifiers: pick('identifiers', []),
        tags: pick('tags', {}),
        codes: pick('codes', {}),
        languages: pick('languages', []),
        addresses: input.addresses ? cleanAddresses(input.addresses) : (current?.addresses ?? []),
        gender: pick('gender', 'unknown'),
        birthSex: pick('birthSex', 'unknown'),
        mergedIds: pick('mergedIds', []),
        active: pick('active', true),
        deactivationReason: pick('deactivationReason', 'none'),
        personalStatus: pick('personalStatus', 'unknown'),
        notes: pick('notes', []),
        relatives: pick('relatives', []),
        patientPractitioners: pick('patientPractitioners', []),
        patientProfessions: pick('patientProfessions', []),
        properties: pick('properties', {}),
      },
    };
  }

  private async staleOrMissing(id: string): Promise<DomainError> {
    return (await this.patients.exists(id)) ? domainError(PatientsErrors.PATIENT_REVISION_CONFLICT) : this.notFound();
  }

  private notFound(): DomainError {
    return domainError(PatientsErrors.PATIENT_NOT_FOUND);
  }
}
