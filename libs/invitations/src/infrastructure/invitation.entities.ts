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
  /** An email as it will go out (RFC 5322), composed when queued; null for an SMS or one that cannot be composed. */
  @Column('text', { name: 'mime_body', nullable: true }) mimeBody!: string | null;
  @Column('text', { default: 'QUEUED' }) status!: DeliveryStatus;
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('bigint', { name: 'next_attempt_at', transformer: epochMs }) nextAttemptAt!: number;
  @Column('text', { name: 'last_error', nullable: true }) lastError!: string | null;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'sent_at', nullable: true, transformer: epochMs }) sentAt!: number | null;
  /** The delivery worker that claimed the message (its advisory lock's key), while it sends it. */
  @Column('integer', { name: 'claim_owner', nullable: true }) claimOwner!: number | null;
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
  @Column('jsonb', { name: 'message_template', nullable: true }) messageTemplate!: Record<string, string> | null;
  @Column('uuid', { name: 'practitioner_id', nullable: true }) practitionerId!: string | null;
  @Column('integer', { name: 'validity_seconds', nullable: true }) validitySeconds!: number | null;
}

@Entity('invitation_jobs')
@Check('invitation_jobs_status_check', `status IN ('RUNNING', 'DONE')`)
@Check('invitation_jobs_progress_check', `next_position BETWEEN 0 AND total AND invited + skipped = next_position`)
@Index('ix_invitation_jobs_running', ['created'], { where: `status = 'RUNNING'` })
@Index('ix_invitation_jobs_created', ['created', 'id'])
@Index('ix_invitation_jobs_created_by', ['createdBy', 'created', 'id'])
export class InvitationJobEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'invitation_jobs_pkey' }) id!: string;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @Column('text', { default: 'RUNNING' }) status!: 'RUNNING' | 'DONE';
  @Column('jsonb') options!: Record<string, unknown>;
  @Column('integer') total!: number;
  @Column('integer', { name: 'next_position', default: 0 }) nextPosition!: number;
  @Column('integer', { default: 0 }) invited!: number;
  @Column('integer', { default: 0 }) skipped!: number;
  @Column('uuid', { name: 'lease_owner', nullable: true }) leaseOwner!: string | null;
  @Column('bigint', { name: 'lease_until', nullable: true, transformer: epochMs }) leaseUntil!: number | null;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
  @Column('bigint', { nullable: true, transformer: epochMs }) finished!: number | null;
}

@Entity('invitation_job_items')
export class InvitationJobItemEntity {
  @ForeignKey(() => InvitationJobEntity, { name: 'invitation_job_items_job_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn('uuid', { name: 'job_id', primaryKeyConstraintName: 'invitation_job_items_pkey' })
  jobId!: string;
  @PrimaryColumn('integer', { primaryKeyConstraintName: 'invitation_job_items_pkey' }) position!: number;
  @Column('uuid', { name: 'patient_id' }) patientId!: string;
  @Column('text', { nullable: true }) outcome!: string | null;
}
