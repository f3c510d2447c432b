import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { DataOwnerKind } from './data-owner';

/**
 * The one id space of data owners: patients and practitioners reference it by foreign key. Its shape for TypeORM
 * (migration generation); DataOwnerIds uses SQL. It must match the migration (test/schema.e2e-spec.ts checks).
 */
@Entity('data_owners')
@Check('ck_data_owners_kind', `kind IN ('patient', 'practitioner')`)
export class DataOwnerEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'data_owners_pkey' }) id!: string;
  @Column('text') kind!: DataOwnerKind;
}
