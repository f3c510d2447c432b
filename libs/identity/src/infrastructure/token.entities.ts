import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { epochMs } from '@careid/shared';
import { UserEntity } from './user.entity';

export type UserTokenKind = 'temporary' | 'long-lived' | 'invitation';

/** The tables' shapes for TypeORM (migration generation): they must match what the migrations create (test/schema.e2e-spec.ts). */
@Entity('user_tokens')
@Check('user_tokens_kind_check', `kind IN ('temporary', 'long-lived', 'invitation')`)
@Unique('uq_user_tokens_key', ['userId', 'key'])
@Index('uq_user_tokens_hash', ['tokenHash'], { unique: true })
export class UserTokenEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'user_tokens_pkey' }) id!: string;
  @ForeignKey(() => UserEntity, { name: 'user_tokens_user_id_fkey', onDelete: 'CASCADE' })
  @Column('uuid', { name: 'user_id' })
  userId!: string;
  @Column('text') key!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('text', { default: 'temporary' }) kind!: UserTokenKind;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'expires_at', transformer: epochMs }) expiresAt!: number;
}

@Entity('refresh_tokens')
@Check(
  'refresh_tokens_revoked_reason_check',
  `revoked_reason IN ('rotated', 'logout', 'reuse', 'expired', 'user-changed', 'password-changed', 'password-set-by-admin', 'password-reset', 'two-factor-changed')`,
)
@Index('uq_refresh_tokens_hash', ['tokenHash'], { unique: true })
@Index('ix_refresh_tokens_family', ['familyId'])
@Index('ix_refresh_tokens_user', ['userId'], { where: 'revoked_at IS NULL' })
@Index('ix_refresh_tokens_live_family', ['familyId'], { where: 'revoked_at IS NULL' })
export class RefreshTokenEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'refresh_tokens_pkey' }) id!: string;
  @Column('uuid', { name: 'family_id' }) familyId!: string;
  /** No foreign key: see migration RefreshTokensWithoutUserLock1795700000000. */
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('bigint', { name: 'family_created', transformer: epochMs }) familyCreated!: number;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochMs }) revokedAt!: number | null;
  @Column('text', { name: 'revoked_reason', nullable: true }) revokedReason!: string | null;
  /** When the session was opened with a login token: that token's expiry, the bound of tokens it mints. */
  @Column('bigint', { name: 'credential_expires_at', nullable: true, transformer: epochMs }) credentialExpiresAt!: number | null;
}

@Entity('login_failures')
export class LoginFailureEntity {
  @PrimaryColumn('text', { name: 'login_key', primaryKeyConstraintName: 'login_failures_pkey' }) loginKey!: string;
  @Column('integer', { default: 0 }) failures!: number;
  @Column('integer', { name: 'lock_level', default: 0 }) lockLevel!: number;
  @Column('bigint', { name: 'locked_until', default: 0, transformer: epochMs }) lockedUntil!: number;
  @Column('bigint', { transformer: epochMs }) updated!: number;
}

/**
 * Append-only: the migration also creates the function audit_events_append_only() and two triggers
 * (no UPDATE/DELETE, no TRUNCATE). Entity metadata cannot express triggers; TypeORM neither creates
 * nor diffs them, so they live in the migration only.
 */
@Entity('audit_events')
@Check('audit_events_outcome_check', `outcome IN ('success', 'failure', 'denied')`)
@Index('ix_audit_events_actor', ['actorId', 'id'])
@Index('ix_audit_events_target', ['targetId', 'id'])
@Index('ix_audit_events_type', ['type', 'id'])
@Index('ix_audit_events_occurred', ['occurred'])
export class AuditEventEntity {
  @PrimaryColumn({
    type: 'bigint',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'audit_events_pkey',
    transformer: epochMs,
  })
  id!: number;
  @Column('bigint', { transformer: epochMs }) occurred!: number;
  @Column('text') type!: string;
  @Column('text') outcome!: 'success' | 'failure' | 'denied';
  @Column('uuid', { name: 'actor_id', nullable: true }) actorId!: string | null;
  @Column('text', { name: 'actor_login', nullable: true }) actorLogin!: string | null;
  @Column('text', { name: 'target_type', nullable: true }) targetType!: string | null;
  @Column('text', { name: 'target_id', nullable: true }) targetId!: string | null;
  @Column('text', { nullable: true }) ip!: string | null;
  @Column('text', { name: 'request_id', nullable: true }) requestId!: string | null;
  @Column('jsonb', { default: {} }) details!: Record<string, unknown>;
}
