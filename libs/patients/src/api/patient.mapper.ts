import { withoutUndefined } from '@careid/shared';
import type { Patient } from '../domain/patient';
import type { AdministrativePatientDto, PatientDto } from './dto/patient.dto';

/** The patient JSON, key for key as iCure's createdPatient, plus delegations; absent values left out. */
export function toPatientView(patient: Patient): PatientDto {
  return withoutUndefined({
    id: patient.id,
    rev: patient.rev,
    identifiers: patient.identifiers,
    created: patient.created,
    modified: patient.modified,
    author: patient.author ?? undefined,
    responsible: patient.responsible ?? undefined,
    tags: patient.tags,
    codes: patient.codes,
    names: patient.names,
    languages: patient.languages,
    addresses: patient.addresses,
    gender: patient.gender,
    birthSex: patient.birthSex,
    mergedIds: patient.mergedIds,
    active: patient.active,
    deactivationReason: patient.deactivationReason,
    ssin: patient.ssin ?? undefined,
    personalStatus: patient.personalStatus,
    dateOfBirth: patient.dateOfBirth ?? undefined,
    notes: patient.notes,
    relatives: patient.relatives,
    patientPractitioners: patient.patientPractitioners,
    patientProfessions: patient.patientProfessions,
    properties: patient.properties,
    systemMetaData: patient.systemMetaData,
    firstName: patient.firstName ?? undefined,
    lastName: patient.lastName ?? undefined,
    delegations: patient.delegations,
    deletionDate: patient.deletionDate ?? undefined,
  });
}

/** The unencrypted administrative part a patient may always read of its own record. */
export function toAdministrativeView(patient: Patient): AdministrativePatientDto {
  return withoutUndefined({
    id: patient.id,
    rev: patient.rev,
    firstName: patient.firstName ?? undefined,
    lastName: patient.lastName ?? undefined,
    names: patient.names,
    gender: patient.gender,
    dateOfBirth: patient.dateOfBirth ?? undefined,
    languages: patient.languages,
    active: patient.active,
  });
}
