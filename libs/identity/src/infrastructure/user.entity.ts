import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AccessPolicy } from '../domain/access-policy';

/** bigint epoch-millisecond columns come back from pg as strings: read them as numbers. */
export const epochMs = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? null : Number(value)),
};

export type UserStatus = 'ACTIVE' | 'DISABLED' | 'REGISTERING';

@Entity('users')
@Index('uq_users_login', { synchronize: false })
@Index('uq_users_email', { synchronize: false })
@Index('uq_users_patient', { synchronize: false })
@Index('uq_users_healthcare_party', { synchronize: false })
@Index('ix_users_login_prefix', { synchronize: false })
@Index('ix_users_email_prefix', { synchronize: false })
@Index('ix_users_status', { synchronize: false })
export class UserEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') rev!: string;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
  @Column('bigint', { name: 'deletion_date', nullable: true, transformer: epochMs }) deletionDate!: number | null;
  @Column('text', { nullable: true }) name!: string | null;
  @Column('jsonb', { default: {} }) properties!: Record<string, unknown>;
  @Column('jsonb', { default: [] }) permissions!: unknown[];
  @Column('text', { array: true, default: '{}' }) roles!: string[];
  @Column('text', { default: 'database' }) type!: string;
  @Column('text', { default: 'ACTIVE' }) status!: UserStatus;
  @Column('text') login!: string;
  @Column('text', { name: 'login_key' }) loginKey!: string;
  @Column('text', { name: 'password_hash', nullable: true }) passwordHash!: string | null;
  @Column('text', { nullable: true }) secret!: string | null;
  @Column('text', { name: 'pending_secret', nullable: true }) pendingSecret!: string | null;
  @Column('bigint', { name: 'totp_last_step', nullable: true, transformer: epochMs }) totpLastStep!: number | null;
  @Column('boolean', { default: false }) use2fa!: boolean;
  @Column('text', { name: 'group_id' }) groupId!: string;
  @Column('uuid', { name: 'healthcare_party_id', nullable: true }) healthcarePartyId!: string | null;
  @Column('uuid', { name: 'patient_id', nullable: true }) patientId!: string | null;
  @Column('jsonb', { name: 'auto_delegations', default: {} }) autoDelegations!: Record<string, string[]>;
  @Column('bigint', { name: 'created_date', nullable: true, transformer: epochMs }) createdDate!: number | null;
  @Column('bigint', { name: 'terms_of_use_date', nullable: true, transformer: epochMs }) termsOfUseDate!: number | null;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { name: 'email_key', nullable: true }) emailKey!: string | null;
  @Column('jsonb', { name: 'sharing_data_with', default: {} }) sharingDataWith!: Record<string, unknown>;
  @Column('jsonb', { name: 'access_policy', nullable: true }) accessPolicy!: AccessPolicy | null;
  @Column('integer', { name: 'session_version', default: 1 }) sessionVersion!: number;
}
