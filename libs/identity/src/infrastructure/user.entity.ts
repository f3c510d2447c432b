import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';
import type { AccessPolicy } from '../domain/access-policy';

export type UserStatus = 'ACTIVE' | 'DISABLED' | 'REGISTERING';

/**
 * The table's shape for TypeORM (migration generation): it must match what the migrations create
 * (test/schema.e2e-spec.ts checks). Indexes TypeORM cannot express are declared by name with `synchronize: false`.
 */
@Entity('users')
@Check('users_type_check', `type IN ('database', 'ldap', 'token')`)
@Check('users_status_check', `status IN ('ACTIVE', 'DISABLED', 'REGISTERING')`)
@Check('ck_users_one_data_owner', 'healthcare_party_id IS NULL OR patient_id IS NULL')
// Uniqueness holds on live rows only, so a deleted user's login and email can be taken again.
@Index('uq_users_login', ['loginKey'], { unique: true, where: 'deletion_date IS NULL' })
// Look-alike logins (UTS #39 confusable skeleton of the login key: `admın` = `admin`) are duplicates too.
@Index('uq_users_login_skeleton', ['loginSkeleton'], { unique: true, where: 'deletion_date IS NULL' })
@Index('uq_users_email', ['emailKey'], { unique: true, where: 'deletion_date IS NULL AND email_key IS NOT NULL' })
@Index('uq_users_patient', ['patientId'], { unique: true, where: 'deletion_date IS NULL AND patient_id IS NOT NULL' })
@Index('uq_users_healthcare_party', ['healthcarePartyId'], {
  unique: true,
  where: 'deletion_date IS NULL AND healthcare_party_id IS NOT NULL',
})
// (login_key text_pattern_ops), (email_key text_pattern_ops): operator classes cannot be declared, the migration creates them.
@Index('ix_users_login_prefix', { synchronize: false })
@Index('ix_users_email_prefix', { synchronize: false })
@Index('ix_users_status', ['status', 'id'])
export class UserEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'users_pkey' }) id!: string;
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
  @Column('text', { name: 'login_skeleton' }) loginSkeleton!: string;
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
