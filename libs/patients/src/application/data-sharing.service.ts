import { Injectable } from '@nestjs/common';
import { Principal, UsersService } from '@careid/identity';
import { domainError, TransactionHost } from '@careid/shared';
import type { RecordKind } from '../domain/medical-record';
import type { Patient } from '../domain/patient';
import { PatientsErrors } from '../domain/patients.errors';
import { MedicalDataAudit } from './medical-data-audit';
import { PatientsService } from './patients.service';

export interface SharingStatus {
  success: boolean;
  error: string | null;
  modified: number;
}

/** iCure's giveAccessToAllDataOf report. */
export interface DataSharingReport {
  patient: Patient;
  statuses: { dataSamples: SharingStatus; healthcareElements: SharingStatus; patient: SharingStatus };
}

function statusOf(granted: string[] | null, kind: RecordKind): SharingStatus {
  return granted
    ? { success: true, error: null, modified: granted.length }
    : { success: false, error: `Your access policy does not allow updating ${kind} records`, modified: 0 };
}

/**
 * iCure's giveAccessToAllDataOf: once an invited patient has activated its
 * user (status ACTIVE), a practitioner makes the patient a delegate of its own record and of every
 * medical record of it that the practitioner can read. Apart from
 * PatientsService because it asks identity whether the patient has a user,
 * and identity's user checks use PatientsService (no cycle).
 */
@Injectable()
export class DataSharingService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly patients: PatientsService,
    private readonly users: UsersService,
    private readonly audit: MedicalDataAudit,
  ) {}

  async shareAllDataWithPatient(patientId: string, actor: Principal): Promise<DataSharingReport> {
    await this.patients.getAccessible(patientId, actor, 'update');
    const user = await this.users.findByPatientId(patientId);
    if (!user) throw domainError(PatientsErrors.PATIENT_HAS_NO_USER);
    if (user.status !== 'ACTIVE') {
      throw domainError(
        PatientsErrors.PATIENT_NOT_ACTIVATED,
        user.status === 'REGISTERING'
          ? PatientsErrors.PATIENT_NOT_ACTIVATED.message
          : "The patient's user is disabled; share its data once an administrator has made it active again",
      );
    }
    return this.tx.run(async () => {
      const grant = await this.patients.grantAccess(patientId, patientId, true, actor);
      await this.audit.succeeded('Patient', 'update', patientId, {
        sharedAllDataWithPatient: true,
        patientModified: grant.patientModified,
        records: grant.records,
      });
      return {
        patient: grant.patient,
        statuses: {
          dataSamples: statusOf(grant.records.DataSample, 'DataSample'),
          healthcareElements: statusOf(grant.records.HealthcareElement, 'HealthcareElement'),
          patient: { success: true, error: null, modified: grant.patientModified ? 1 : 0 },
        },
      };
    });
  }
}
