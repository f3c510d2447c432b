import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';

/**
 * A one-time ticket that opens a notification stream (migration StreamTickets1796641700000): the SHA-256 of the
 * value, the session it belongs to and when the access token that asked for it expires.
 */
@Entity('stream_tickets')
@Index('ix_stream_tickets_expires', ['expiresAt'])
export class StreamTicketEntity {
  @PrimaryColumn('bytea', { name: 'token_hash', primaryKeyConstraintName: 'stream_tickets_pkey' }) tokenHash!: Buffer;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('text', { name: 'session_id' }) sessionId!: string;
  @Column('integer', { name: 'session_version' }) sessionVersion!: number;
  @Column('bigint', { name: 'access_expires_at', transformer: epochMs }) accessExpiresAt!: number;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'expires_at', transformer: epochMs }) expiresAt!: number;
}
