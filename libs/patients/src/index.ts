export * from './patients.module';
export * from './application/patients.service';
export * from './api/dto/patient.dto';
export * from './api/dto/medical-record.dto';
export { toPatientView, toAdministrativeView, isCalendarDate } from './domain/patient';
export type { Patient, PatientContact, PatientInput } from './domain/patient';
export { toMedicalRecordView, RECORD_KINDS } from './domain/medical-record';
export type { MedicalRecord, RecordKind } from './domain/medical-record';
export { patientsPersistence } from './infrastructure/patients.persistence';
