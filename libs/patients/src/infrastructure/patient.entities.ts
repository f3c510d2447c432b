import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { DataOwnerEntity, epochMs } from '@careid/shared';

/**
 * The tables' shapes for TypeORM (migration generation); the repositories use SQL. They must match what the
 * migrations create (test/schema.e2e-spec.ts checks).
 */
@Entity('patients')
@Check('ck_patients_date_of_birth', 'date_of_birth BETWEEN 10000101 AND 99991231')
// (… text_pattern_ops) WHERE deletion_date IS NULL: operator classes cannot be declared, the migration creates them.
@Index('ix_patients_family_first_key', { synchronize: false })
@Index('ix_patients_given_first_key', { synchronize: false })
@Index('ix_patients_ssin', ['ssin'], { where: 'deletion_date IS NULL' })
@Index('ix_patients_date_of_birth', ['dateOfBirth', 'id'], { where: 'deletion_date IS NULL' })
export class PatientEntity {
  @ForeignKey(() => DataOwnerEntity, { name: 'fk_patients_data_owner' })
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'patients_pkey' })
  id!: string;
  @Column('text') rev!: string;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
  @Column('bigint', { name: 'deletion_date', nullable: true, transformer: epochMs }) deletionDate!: number | null;
  @Column('uuid', { nullable: true }) author!: string | null;
  @Column('uuid', { nullable: true }) responsible!: string | null;
  @Column('text', { nullable: true }) ssin!: string | null;
  @Column('integer', { name: 'date_of_birth', nullable: true }) dateOfBirth!: number | null;
  @Column('text', { name: 'family_first_key' }) familyFirstKey!: string;
  @Column('text', { name: 'given_first_key' }) givenFirstKey!: string;
  @Column('json') document!: Record<string, unknown>;
  @Column('jsonb', { name: 'system_meta_data' }) systemMetaData!: Record<string, unknown>;
}

@Entity('patient_delegations')
@Index('ix_patient_delegations_patient', ['patientId', 'dataOwnerId'])
export class PatientDelegationEntity {
  @PrimaryColumn('uuid', { name: 'data_owner_id', primaryKeyConstraintName: 'pk_patient_delegations' }) dataOwnerId!: string;
  @ForeignKey(() => PatientEntity, { name: 'patient_delegations_patient_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn('uuid', { name: 'patient_id', primaryKeyConstraintName: 'pk_patient_delegations' })
  patientId!: string;
}

@Entity('medical_records')
@Check('ck_medical_records_kind', `kind IN ('DataSample', 'HealthcareElement')`)
@Check('ck_medical_records_dates_of_elements', `kind = 'HealthcareElement' OR (opening_date IS NULL AND closing_date IS NULL)`)
@Check('ck_medical_records_closing_after_opening', 'closing_date IS NULL OR opening_date IS NULL OR closing_date >= opening_date')
@Index('ix_medical_records_patient', ['patientId', 'kind', 'id'], { where: 'deletion_date IS NULL' })
export class MedicalRecordEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'medical_records_pkey' }) id!: string;
  @Column('text') kind!: 'DataSample' | 'HealthcareElement';
  @ForeignKey(() => PatientEntity, { name: 'medical_records_patient_id_fkey' })
  @Column('uuid', { name: 'patient_id' })
  patientId!: string;
  @Column('text') rev!: string;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
  @Column('bigint', { name: 'deletion_date', nullable: true, transformer: epochMs }) deletionDate!: number | null;
  @Column('uuid', { nullable: true }) author!: string | null;
  @Column('uuid', { nullable: true }) responsible!: string | null;
  @Column('json') content!: unknown;
  @Column('json', { default: {} }) codes!: Record<string, unknown>;
  @Column('json', { default: {} }) tags!: Record<string, unknown>;
  @Column('bigint', { name: 'opening_date', nullable: true, transformer: epochMs }) openingDate!: number | null;
  @Column('bigint', { name: 'closing_date', nullable: true, transformer: epochMs }) closingDate!: number | null;
}

@Entity('medical_record_delegations')
@Index('ix_medical_record_delegations_record', ['recordId', 'dataOwnerId'])
export class MedicalRecordDelegationEntity {
  @PrimaryColumn('uuid', { name: 'data_owner_id', primaryKeyConstraintName: 'pk_medical_record_delegations' }) dataOwnerId!: string;
  @ForeignKey(() => MedicalRecordEntity, { name: 'medical_record_delegations_record_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn('uuid', { name: 'record_id', primaryKeyConstraintName: 'pk_medical_record_delegations' })
  recordId!: string;
}
