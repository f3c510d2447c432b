import { withoutUndefined } from '@careid/shared';
import type { MedicalRecord } from '../domain/medical-record';
import type { DataSampleDto, HealthcareElementDto } from './dto/medical-record.dto';

/** The record JSON; opening and closing dates only on healthcare elements. */
export function toMedicalRecordView(record: MedicalRecord): DataSampleDto & HealthcareElementDto {
  return withoutUndefined({
    id: record.id,
    rev: record.rev,
    patientId: record.patientId,
    created: record.created,
    modified: record.modified,
    author: record.author ?? undefined,
    responsible: record.responsible ?? undefined,
    content: record.content,
    codes: record.codes,
    tags: record.tags,
    ...(record.kind === 'HealthcareElement'
      ? { openingDate: record.openingDate ?? undefined, closingDate: record.closingDate ?? undefined }
      : {}),
    delegations: record.delegations,
    deletionDate: record.deletionDate ?? undefined,
  });
}
