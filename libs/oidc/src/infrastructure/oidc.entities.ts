import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';

/**
 * The tables' shapes for TypeORM (migration generation); the repositories use SQL. They must match what the
 * migrations create (test/schema.e2e-spec.ts checks).
 */
@Entity('oidc_payloads')
@Index('ix_oidc_payloads_grant_id', ['grantId'], { where: 'grant_id IS NOT NULL' })
@Index('uq_oidc_payloads_uid', ['kind', 'uid'], { unique: true, where: 'uid IS NOT NULL' })
@Index('ix_oidc_payloads_user_code', ['userCode'], { where: 'user_code IS NOT NULL' })
@Index('ix_oidc_payloads_expires_at', ['expiresAt'], { where: 'expires_at IS NOT NULL' })
export class OidcPayloadEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'oidc_payloads_pkey' }) kind!: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'oidc_payloads_pkey' }) id!: string;
  @Column('jsonb') payload!: Record<string, unknown>;
  @Column('text', { name: 'grant_id', nullable: true }) grantId!: string | null;
  @Column('text', { name: 'user_code', nullable: true }) userCode!: string | null;
  @Column('text', { nullable: true }) uid!: string | null;
  @Column('bigint', { name: 'expires_at', nullable: true, transformer: epochMs }) expiresAt!: number | null;
  @Column('bigint', { name: 'consumed_at', nullable: true, transformer: epochMs }) consumedAt!: number | null;
}

@Entity('oidc_signing_keys')
export class OidcSigningKeyEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'oidc_signing_keys_pkey' }) kid!: string;
  @Column('text') alg!: string;
  @Column('text', { name: 'private_jwk' }) privateJwk!: string;
  @Column('jsonb', { name: 'public_jwk' }) publicJwk!: Record<string, unknown>;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { name: 'retired_at', nullable: true, transformer: epochMs }) retiredAt!: number | null;
}

@Entity('oidc_session_links')
@Check('oidc_session_links_kind_check', `kind IN ('session', 'grant')`)
@Index('ix_oidc_session_links_expires_at', ['expiresAt'])
export class OidcSessionLinkEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'oidc_session_links_pkey' }) kind!: 'session' | 'grant';
  @PrimaryColumn('text', { primaryKeyConstraintName: 'oidc_session_links_pkey' }) id!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('bigint', { name: 'expires_at', transformer: epochMs }) expiresAt!: number;
}
