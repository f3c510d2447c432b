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
  /** A free JSON object (the write DTO refuses anything else); clients may store encrypted content. */
  content: Record<string, unknown>;
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
  content?: Record<string, unknown>;
  codes?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  openingDate?: number | null;
  closingDate?: number | null;
}
