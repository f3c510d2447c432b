import { Column, Entity, ForeignKey, PrimaryColumn, Unique } from 'typeorm';
import { epochMs } from '@careid/shared';
import { UserEntity } from './user.entity';

/** The tables' shapes for TypeORM: they must match migration Federation1796619000000 (test/schema.e2e-spec.ts checks). */
@Entity('identity_providers')
export class IdentityProviderEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'identity_providers_pkey' }) alias!: string;
  @Column('text') rev!: string;
  @Column('text') issuer!: string;
  @Column('text', { name: 'client_id' }) clientId!: string;
  /** Sealed with SecretCipher (`identity_providers.client_secret:<alias>`). */
  @Column('text', { name: 'client_secret', nullable: true }) clientSecret!: string | null;
  @Column('boolean', { name: 'allow_signup', default: false }) allowSignup!: boolean;
  @Column('text', { name: 'default_roles', array: true, default: '{}' }) defaultRoles!: string[];
  @Column('boolean', { name: 'require_totp', default: false }) requireTotp!: boolean;
  @Column('bigint', { transformer: epochMs }) created!: number;
  @Column('bigint', { transformer: epochMs }) modified!: number;
}

@Entity('federated_identities')
@Unique('uq_federated_identities_subject', ['provider', 'subject'])
@Unique('uq_federated_identities_user_provider', ['userId', 'provider'])
export class FederatedIdentityEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'federated_identities_pkey' }) id!: string;
  @ForeignKey(() => IdentityProviderEntity, { name: 'federated_identities_provider_fkey', onDelete: 'CASCADE' })
  @Column('text')
  provider!: string;
  @Column('text') subject!: string;
  @ForeignKey(() => UserEntity, { name: 'federated_identities_user_id_fkey', onDelete: 'CASCADE' })
  @Column('uuid', { name: 'user_id' })
  userId!: string;
  @Column('text', { nullable: true }) email!: string | null;
  @Column('bigint', { transformer: epochMs }) created!: number;
}
