import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';

/** The tables' shapes for TypeORM (migration generation); the repositories use SQL. */
@Entity('patients')
@Index('ix_patients_family_first_key', { synchronize: false })
@Index('ix_patients_given_first_key', { synchronize: false })
@Index('ix_patients_ssin', { synchronize: false })
@Index('ix_patients_date_of_birth', { synchronize: false })
export class PatientEntity {
  @PrimaryColumn('uuid') id!: string;
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
@Index('ix_patient_delegations_patient', { synchronize: false })
export class PatientDelegationEntity {
  @PrimaryColumn('uuid', { name: 'data_owner_id', primaryKeyConstraintName: 'pk_patient_delegations' }) dataOwnerId!: string;
  @PrimaryColumn('uuid', { name: 'patient_id', primaryKeyConstraintName: 'pk_patient_delegations' }) patientId!: string;
}

@Entity('medical_records')
@Index('ix_medical_records_patient', { synchronize: false })
export class MedicalRecordEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') kind!: 'DataSample' | 'HealthcareElement';
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
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
@Index('ix_medical_record_delegations_record', { synchronize: false })
export class MedicalRecordDelegationEntity {
  @PrimaryColumn('uuid', { name: 'data_owner_id', primaryKeyConstraintName: 'pk_medical_record_delegations' }) dataOwnerId!: string;
  @PrimaryColumn('uuid', { name: 'record_id', primaryKeyConstraintName: 'pk_medical_record_delegations' }) recordId!: string;
}
