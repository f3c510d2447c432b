import { Injectable } from '@nestjs/common';
import { Action, AuditTrail, auditTypeFor } from '@careid/identity';
import type { RecordKind } from '../domain/medical-record';

type MedicalResource = 'Patient' | RecordKind;

/**
 * Every read and write of a patient or a medical record, and every refused
 * attempt, in the audit trail: `PATIENT_READ`, `DATA_SAMPLE_MODIFIED`, ...
 * (the same types the permission guard records its refusals under).
 */
@Injectable()
export class MedicalDataAudit {
  constructor(private readonly audit: AuditTrail) {}

  succeeded(resource: MedicalResource, action: Action, targetId: string | null, details?: Record<string, unknown>): Promise<void> {
    return this.audit.record({ type: auditTypeFor(resource, action), targetType: resource, targetId, details });
  }

  /** `succeeded` for each of `targetIds`, in one statement. */
  succeededMany(resource: MedicalResource, action: Action, targetIds: string[], details?: Record<string, unknown>): Promise<void> {
    const type = auditTypeFor(resource, action);
    return this.audit.recordMany(targetIds.map((targetId) => ({ type, targetType: resource, targetId, details })));
  }

  /**
   * An attempt on a record the caller may not touch (outcome `denied`) or that
   * does not exist (`failure`). Call it outside the use case's transaction:
   * the error that follows would roll it back.
   */
  refused(
    resource: MedicalResource,
    action: Action,
    targetId: string | null,
    exists: boolean,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({
      type: auditTypeFor(resource, action),
      outcome: exists ? 'denied' : 'failure',
      targetType: resource,
      targetId,
      details: { reason: exists ? 'no-delegation' : 'not-found', ...details },
    });
  }
}
