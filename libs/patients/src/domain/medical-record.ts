import { withoutUndefined } from '@careid/shared';

/** The patient's medical data that delegations and sharing act on; the kinds are the access-policy resources. */
export const RECORD_KINDS = ['DataSample', 'HealthcareElement'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface MedicalRecord {
  id: string;
  kind: RecordKind;
  patientId: string;
  rev: string;
  created: number;
  modified: number;
  deletionDate: number | null;
  author: string | null;
  responsible: string | null;
  /** Free JSON; clients may store encrypted content. */
  content: unknown;
  codes: Record<string, unknown>;
  tags: Record<string, unknown>;
  /** Healthcare elements only (epoch ms). */
  openingDate: number | null;
  closingDate: number | null;
  delegations: string[];
}

export interface MedicalRecordInput {
  id?: string;
  rev?: string;
  patientId?: string;
  content?: unknown;
  codes?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  openingDate?: number | null;
  closingDate?: number | null;
}

/** The record JSON; opening and closing dates only on healthcare elements. */
export function toMedicalRecordView(record: MedicalRecord) {
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
