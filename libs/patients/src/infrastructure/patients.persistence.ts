import { Persistence } from '@careid/shared';
import { CreatePatients1795430001000 } from './migrations/1795430001000-CreatePatients';
import { MedicalRecordDelegationEntity, MedicalRecordEntity, PatientDelegationEntity, PatientEntity } from './patient.entities';

export const patientsPersistence: Persistence = {
  entities: [PatientEntity, PatientDelegationEntity, MedicalRecordEntity, MedicalRecordDelegationEntity],
  migrations: [CreatePatients1795430001000],
};
