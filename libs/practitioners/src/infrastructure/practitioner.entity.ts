import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { DataOwnerEntity, epochMs } from '@careid/shared';

/**
 * The table's shape for TypeORM (migration generation); the repository uses SQL. It must match what the
 * migrations create (test/schema.e2e-spec.ts checks).
 */
@Entity('practitioners')
@Check(
  'practitioners_gender_check',
  `gender IN ('male', 'female', 'indeterminate', 'changed', 'changedToMale', 'changedToFemale', 'unknown')`,
)
// (… text_pattern_ops) WHERE deletion_date IS NULL: operator classes cannot be declared, the migration creates them.
@Index('ix_practitioners_family_first_key', { synchronize: false })
@Index('ix_practitioners_given_first_key', { synchronize: false })
export class PractitionerEntity {
  @ForeignKey(() => DataOwnerEntity, { name: 'fk_practitioners_data_owner' })
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'practitioners_pkey' })
  id!: string;
  @Column('text') rev!: string;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
  @Column('bigint', { name: 'deletion_date', nullable: true, transformer: epochMs }) deletionDate!: number | null;
  @Column('text', { name: 'first_name', nullable: true }) firstName!: string | null;
  @Column('text', { name: 'last_name', nullable: true }) lastName!: string | null;
  @Column('text', { name: 'family_first_key' }) familyFirstKey!: string;
  @Column('text', { name: 'given_first_key' }) givenFirstKey!: string;
  @Column('json', { default: [] }) names!: unknown[];
  @Column('text', { default: 'unknown' }) gender!: string;
  @Column('text', { nullable: true }) speciality!: string | null;
  @Column('json', { default: [] }) addresses!: unknown[];
  @Column('json', { default: [] }) languages!: string[];
  @Column('json', { default: {} }) properties!: Record<string, unknown>;
}
