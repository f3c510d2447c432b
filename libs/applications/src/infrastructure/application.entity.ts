import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '@careid/shared';

/**
 * The table's shape for TypeORM (migration generation); the repository uses SQL. It must match what the
 * migrations create (test/schema.e2e-spec.ts checks).
 */
@Entity('applications')
@Check('applications_type_check', `type IN ('public', 'confidential')`)
@Check('applications_secret_check', `(type = 'confidential') = (client_secret IS NOT NULL)`)
@Index('uq_applications_client_id', ['clientId'], { unique: true })
export class ApplicationEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'applications_pkey' }) id!: string;
  @Column('text') rev!: string;
  @Column('text', { name: 'client_id' }) clientId!: string;
  @Column('text') name!: string;
  @Column('text') type!: 'public' | 'confidential';
  @Column('text', { name: 'redirect_uris', array: true }) redirectUris!: string[];
  @Column('text', { name: 'post_logout_redirect_uris', array: true, default: '{}' }) postLogoutRedirectUris!: string[];
  @Column('text', { name: 'allowed_scopes', array: true }) allowedScopes!: string[];
  @Column('text', { name: 'client_secret', nullable: true }) clientSecret!: string | null;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
}
