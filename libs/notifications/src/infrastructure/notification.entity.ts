import { Check, Column, Entity, Generated, Index, PrimaryColumn } from 'typeorm';
import { DataOwnerKind, epochMs } from '@careid/shared';
import type { NotificationStatus, NotificationType } from '../domain/notification';

/**
 * The table's shape for TypeORM (migration generation); the service uses SQL. It must match what the
 * migrations create (test/schema.e2e-spec.ts checks).
 */
@Entity('notifications')
@Check('notifications_status_check', `status IN ('pending', 'ongoing', 'completed', 'cancelled')`)
@Check('ck_notifications_recipient_kind', `recipient_kind IN ('patient', 'practitioner')`)
// (recipient, recipient_kind, created DESC, id DESC): per-column sort order cannot be declared, the migration creates it.
@Index('ix_notifications_recipient', { synchronize: false })
// One open request per (type, patient, practitioner): asking again does not duplicate it.
@Index('uq_notifications_open_request', ['type', 'responsible', 'recipient'], {
  unique: true,
  where: `status IN ('pending', 'ongoing')`,
})
// The stream's replay after a Last-Event-ID: a recipient's notifications in sequence order.
@Index('uq_notifications_recipient_seq', ['recipient', 'recipientKind', 'seq'], { unique: true })
export class NotificationEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'notifications_pkey' }) id!: string;
  @Column('text') rev!: string;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
  @Column('text') type!: NotificationType;
  @Column('text', { default: 'pending' }) status!: NotificationStatus;
  @Column('uuid', { nullable: true }) responsible!: string | null;
  @Column('uuid', { nullable: true }) author!: string | null;
  @Column('uuid') recipient!: string;
  @Column('text', { name: 'recipient_kind' }) recipientKind!: DataOwnerKind;
  @Column('jsonb', { default: {} }) properties!: Record<string, unknown>;
  /** The `id:` of its Server-Sent Event (migration NotificationSequence1796641700100). */
  @Column('bigint') @Generated('increment') seq!: string;
}
