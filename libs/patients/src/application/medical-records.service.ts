import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Action, Principal } from '@careid/identity';
import {
  DomainError,
  domainError,
  ErrorCode,
  firstRev,
  nextRev,
  Page,
  registerUniqueConstraintCode,
  TransactionHost,
} from '@careid/shared';
import { delegatesOnCreate, mayAccessPatient, mayAccessRecord, readScopeOf } from '../domain/access-rules';
import { MedicalRecord, MedicalRecordInput, RecordKind } from '../domain/medical-record';
import { PatientsErrors } from '../domain/patients.errors';
import { MedicalRecordColumns, MedicalRecordsRepository } from '../infrastructure/medical-records.repository';
import { PatientsRepository } from '../infrastructure/patients.repository';
import { MedicalDataAudit } from './medical-data-audit';

registerUniqueConstraintCode('medical_records_pkey', PatientsErrors.DUPLICATE_RECORD_ID.code, PatientsErrors.DUPLICATE_RECORD_ID.message);
registerUniqueConstraintCode(
  'ck_medical_records_closing_after_opening',
  PatientsErrors.CLOSING_BEFORE_OPENING.code,
  PatientsErrors.CLOSING_BEFORE_OPENING.message,
);

const NAMES: Record<RecordKind, { notFound: ErrorCode; text: string }> = {
  DataSample: { notFound: PatientsErrors.DATA_SAMPLE_NOT_FOUND, text: 'data sample' },
  HealthcareElement: { notFound: PatientsErrors.HEALTHCARE_ELEMENT_NOT_FOUND, text: 'healthcare element' },
};

/**
 * Data samples and healthcare elements: each belongs to one patient and is
 * readable by its delegates only. Creating one needs access to the patient;
 * the creator's data owner and auto-delegations become its delegates.
 */
@Injectable()
export class MedicalRecordsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly records: MedicalRecordsRepository,
    private readonly patients: PatientsRepository,
    private readonly audit: MedicalDataAudit,
  ) {}

  async create(kind: RecordKind, input: MedicalRecordInput, actor: Principal): Promise<MedicalRecord> {
    if (!input.patientId)
      throw domainError(PatientsErrors.PATIENT_ID_REQUIRED, `A ${NAMES[kind].text} belongs to a patient: give patientId`);
    if (input.content === undefined) throw domainError(PatientsErrors.CONTENT_REQUIRED, `A ${NAMES[kind].text} needs content`);
    const patientId = input.patientId.toLowerCase();
    const patient = await this.patients.findById(patientId);
    if (!patient || !mayAccessPatient(actor, patient)) {
      await this.audit.refused(kind, 'create', null, patient !== null, { patientId });
      throw domainError(PatientsErrors.PATIENT_NOT_ACCESSIBLE);
    }
    const now = Date.now();
    return this.tx.run(async () => {
      const record = await this.records.insert(
        {
          id: input.id?.toLowerCase() ?? randomUUID(),
          kind,
          patientId,
          created: now,
          author: actor.userId,
          responsible: actor.dataOwnerId,
          ...this.columns(kind, input, firstRev(), now),
        },
        delegatesOnCreate(actor),
      );
      await this.audit.succeeded(kind, 'create', record.id, { patientId, delegations: record.delegations });
      return record;
    });
  }

  async get(kind: RecordKind, id: string, actor: Principal): Promise<MedicalRecord> {
    const record = await this.getAccessible(kind, id, actor, 'read');
    await this.audit.succeeded(kind, 'read', id);
    return record;
  }

  /** The records the caller may read (of one patient when `patientId` is given), nothing else. */
  async filter(
    kind: RecordKind,
    query: { patientId?: string },
    actor: Principal,
    limit: number,
    cursor?: string,
  ): Promise<Page<MedicalRecord>> {
    const page = await this.records.filter(kind, readScopeOf(actor), query, limit, cursor);
    await this.audit.succeeded(kind, 'read', null, {
      list: true,
      filter: { ...query },
      count: page.rows.length,
      ids: page.rows.map((record) => record.id),
    });
    return page;
  }

  async modify(kind: RecordKind, id: string, input: MedicalRecordInput, actor: Principal): Promise<MedicalRecord> {
    if (!input.rev) throw domainError(PatientsErrors.REV_REQUIRED);
    if (input.id && input.id.toLowerCase() !== id) throw domainError(PatientsErrors.ID_MISMATCH);
    const current = await this.getAccessible(kind, id, actor, 'update');
    if (input.patientId && input.patientId.toLowerCase() !== current.patientId) {
      throw domainError(PatientsErrors.PATIENT_ID_IMMUTABLE, `A ${NAMES[kind].text} cannot move to another patient`);
    }
    return this.tx.run(async () => {
      if (!(await this.records.replaceIfRev(kind, id, input.rev!, this.columns(kind, input, nextRev(input.rev!), Date.now(), current)))) {
        throw await this.staleOrMissing(kind, id);
      }
      await this.audit.succeeded(kind, 'update', id);
      return (await this.records.findById(kind, id))!;
    });
  }

  async delete(kind: RecordKind, id: string, actor: Principal): Promise<{ id: string; rev: string }> {
    await this.getAccessible(kind, id, actor, 'delete');
    return this.tx.run(async () => {
      const deleted = await this.records.softDelete(kind, id, Date.now());
      if (!deleted) throw this.notFound(kind);
      await this.audit.succeeded(kind, 'delete', id);
      return deleted;
    });
  }

  private async getAccessible(kind: RecordKind, id: string, actor: Principal, action: Action): Promise<MedicalRecord> {
    const record = await this.records.findById(kind, id);
    if (record && mayAccessRecord(actor, record)) return record;
    await this.audit.refused(kind, action, id, record !== null);
    throw this.notFound(kind);
  }

  /** The client's fields of a write: on modify, a field left out keeps its value. */
  private columns(kind: RecordKind, input: MedicalRecordInput, rev: string, now: number, current?: MedicalRecord): MedicalRecordColumns {
    const element = kind === 'HealthcareElement';
    const openingDate = element ? (input.openingDate !== undefined ? input.openingDate : (current?.openingDate ?? null)) : null;
    const closingDate = element ? (input.closingDate !== undefined ? input.closingDate : (current?.closingDate ?? null)) : null;
    if (openingDate !== null && closingDate !== null && closingDate < openingDate) {
      throw domainError(PatientsErrors.CLOSING_BEFORE_OPENING);
    }
    return {
      rev,
      modified: now,
      content: input.content !== undefined ? input.content : current?.content,
      codes: input.codes ?? current?.codes ?? {},
      tags: input.tags ?? current?.tags ?? {},
      openingDate,
      closingDate,
    };
  }

  private async staleOrMissing(kind: RecordKind, id: string): Promise<DomainError> {
    return (await this.records.findById(kind, id))
      ? domainError(
          PatientsErrors.RECORD_REVISION_CONFLICT,
          `The ${NAMES[kind].text} was modified meanwhile; reload it and apply your change again`,
        )
      : this.notFound(kind);
  }

  private notFound(kind: RecordKind): DomainError {
    return domainError(NAMES[kind].notFound);
  }
}
