import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';
import type { DeliveryStatus } from './outbox.repository';
import type { ProfileType } from '../domain/profile-directory';

/**
 * The tables' shapes for TypeORM (migration generation); the services use SQL. They must match what the
 * migrations create (test/schema.e2e-spec.ts checks).
 */
@Entity('outbox_messages')
@Check('outbox_messages_channel_check', `channel IN ('email', 'sms')`)
@Check('outbox_messages_status_check', `status IN ('QUEUED', 'SENT', 'FAILED', 'NOT_SENT')`)
@Index('ix_outbox_messages_due', ['nextAttemptAt'], { where: `status = 'QUEUED'` })
export class OutboxMessageEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'outbox_messages_pkey' }) id!: string;
  @Column('text') channel!: 'email' | 'sms';
  @Column('text') kind!: string;
  @Column('text') recipient!: string;
  @Column('text', { name: 'reply_to', nullable: true }) replyTo!: string | null;
  @Column('text', { nullable: true }) subject!: string | null;
  @Column('text', { name: 'text_body', nullable: true }) textBody!: string | null;
  @Column('text', { name: 'html_body', nullable: true }) htmlBody!: string | null;
  @Column('text', { default: 'QUEUED' }) status!: DeliveryStatus;
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('bigint', { name: 'next_attempt_at', transformer: epochMs }) nextAttemptAt!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'sent_at', nullable: true, transformer: epochMs }) sentAt!: number | null;
}

@Entity('invitations')
@Check('invitations_kind_check', `kind IN ('profile', 'patient')`)
@Check('invitations_channel_check', `channel IN ('email', 'sms', 'link')`)
@Check('invitations_profile_type_check', `profile_type IN ('Practitioner', 'Patient')`)
@Check('invitations_status_check', `status IN ('PENDING', 'ACCEPTED', 'EXPIRED', 'REVOKED')`)
// One pending invitation per email.
@Index('uq_invitations_pending_email', ['emailKey'], { unique: true, where: `status = 'PENDING' AND email_key IS NOT NULL` })
// (status, created DESC, id) and (created DESC, id): per-column sort order cannot be declared, the migration creates them.
@Index('ix_invitations_status', { synchronize: false })
@Index('ix_invitations_created', { synchronize: false })
@Index('ix_invitations_user', ['userId'])
@Index('ix_invitations_pending_expiry', ['expiresAt'], { where: `status = 'PENDING'` })
// One pending invitation per user.
@Index('uq_invitations_pending_user', ['userId'], { unique: true, where: `status = 'PENDING'` })
export class InvitationEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'invitations_pkey' }) id!: string;
  @Column('text') kind!: 'profile' | 'patient';
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('text', { name: 'email_key', nullable: true }) emailKey!: string | null;
  @Column('text', { nullable: true }) phone!: string | null;
  @Column('text') channel!: 'email' | 'sms' | 'link';
  @Column('text', { nullable: true }) name!: string | null;
  @Column('text', { name: 'first_name', nullable: true }) firstName!: string | null;
  @Column('text', { name: 'last_name', nullable: true }) lastName!: string | null;
  @Column('text', { name: 'profile_type' }) profileType!: ProfileType;
  @Column('uuid', { name: 'profile_id' }) profileId!: string;
  @Column('text', { array: true, default: '{}' }) roles!: string[];
  @Column('jsonb', { name: 'access_policy', nullable: true }) accessPolicy!: Record<string, unknown> | null;
  @Column('text', { default: 'PENDING' }) status!: 'PENDING' | 'ACCEPTED' | 'EXPIRED' | 'REVOKED';
  @Column('bigint', { name: 'expires_at', transformer: epochMs }) expiresAt!: number;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('bigint', { name: 'accepted_at', nullable: true, transformer: epochMs }) acceptedAt!: number | null;
  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochMs }) revokedAt!: number | null;
  @ForeignKey(() => OutboxMessageEntity, { name: 'invitations_message_id_fkey' })
  @Column('uuid', { name: 'message_id', nullable: true })
  messageId!: string | null;
  @Column('text', { name: 'redirect_url', nullable: true }) redirectUrl!: string | null;
  @Column('uuid', { name: 'application_id', nullable: true }) applicationId!: string | null;
  @Column('text', { name: 'login_url', nullable: true }) loginUrl!: string | null;
  @Column('text', { name: 'solution_name', nullable: true }) solutionName!: string | null;
  @Column('uuid', { name: 'practitioner_id', nullable: true }) practitionerId!: string | null;
  @Column('integer', { name: 'validity_seconds', nullable: true }) validitySeconds!: number | null;
}
