import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';
import type { TicketKind } from './tickets.repository';

/**
 * One-time tickets (accepting an invitation, resetting a password): only a SHA-256 of the value is kept.
 * `invitation_id` names an invitation of the invitations context, without a foreign key across contexts
 * (migration TicketsOwnedByIdentity1796500000000).
 */
@Entity('tickets')
@Check('tickets_kind_check', `kind IN ('invitation', 'password-reset')`)
@Index('uq_tickets_hash', ['tokenHash'], { unique: true })
@Index('ix_tickets_user', ['userId', 'kind'], { where: 'used_at IS NULL AND revoked_at IS NULL' })
@Index('ix_tickets_invitation', ['invitationId'], { where: 'used_at IS NULL AND revoked_at IS NULL' })
export class TicketEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'tickets_pkey' }) id!: string;
  @Column('text') kind!: TicketKind;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'invitation_id', nullable: true }) invitationId!: string | null;
  @Column('bytea', { name: 'token_hash' }) tokenHash!: Buffer;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'expires_at', transformer: epochMs }) expiresAt!: number;
  @Column('bigint', { name: 'used_at', nullable: true, transformer: epochMs }) usedAt!: number | null;
  @Column('bigint', { name: 'revoked_at', nullable: true, transformer: epochMs }) revokedAt!: number | null;
}
