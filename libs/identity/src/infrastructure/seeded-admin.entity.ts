import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';
import { UserEntity } from './user.entity';

/** The table's shape for TypeORM (migration generation): it must match migration SeededAdmin1796400000000. */
@Entity('seeded_admin')
@Check('seeded_admin_singleton_check', `singleton`)
export class SeededAdminEntity {
  @PrimaryColumn('boolean', { default: true, primaryKeyConstraintName: 'seeded_admin_pkey' }) singleton!: boolean;
  @ForeignKey(() => UserEntity, { name: 'seeded_admin_user_id_fkey' })
  @Column('uuid', { name: 'user_id' })
  userId!: string;
  @Column('bigint', { transformer: epochMs }) created!: number;
}
