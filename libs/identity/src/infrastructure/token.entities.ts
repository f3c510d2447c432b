import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from './user.entity';

export type UserTokenKind = 'temporary' | 'long-lived' | 'invitation';

@Entity('user_tokens')
@Index('uq_user_tokens_hash', { synchronize: false })
export class UserTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text') key!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('text', { default: 'temporary' }) kind!: UserTokenKind;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'expires_at', transformer: epochMs }) expiresAt!: number;
}

@Entity('refresh_tokens')
@Index('uq_refresh_tokens_hash', { synchronize: false })
@Index('ix_refresh_tokens_family', { synchronize: false })
@Index('ix_refresh_tokens_user', { synchronize: false })
export class RefreshTokenEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'family_id' }) familyId!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('bigint', { name: 'family_created', transformer: epochMs }) familyCreated!: number;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochMs }) revokedAt!: number | null;
  @Column('text', { name: 'revoked_reason', nullable: true }) revokedReason!: string | null;
}

@Entity('login_failures')
export class LoginFailureEntity {
  @PrimaryColumn('text', { name: 'login_key' }) loginKey!: string;
  @Column('integer', { default: 0 }) failures!: number;
  @Column('integer', { name: 'lock_level', default: 0 }) lockLevel!: number;
  @Column('bigint', { name: 'locked_until', default: 0, transformer: epochMs }) lockedUntil!: number;
  @Column('bigint', { transformer: epochMs }) updated!: number;
}

@Entity('audit_events')
@Index('ix_audit_events_actor', { synchronize: false })
@Index('ix_audit_events_target', { synchronize: false })
@Index('ix_audit_events_type', { synchronize: false })
@Index('ix_audit_events_occurred', { synchronize: false })
export class AuditEventEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', transformer: epochMs }) id!: number;
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
