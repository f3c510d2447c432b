import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, registerUniqueConstraintCode, toPage, TransactionHost } from '@careid/shared';
import type { IdentityProvider } from '../domain/federation';
import { IDENTITY_ERRORS } from '../domain/identity.errors';
import { SecretCipher } from './secret-cipher';

registerUniqueConstraintCode('identity_providers_pkey', 'DUPLICATE_IDENTITY_PROVIDER', IDENTITY_ERRORS.DUPLICATE_IDENTITY_PROVIDER.message);

const SELECT_PROVIDER = `SELECT alias, rev, issuer, client_id, client_secret, allow_signup, default_roles, require_totp, created, modified
  FROM identity_providers`;

/** The statements of external identity providers (`identity_providers`); client secrets are sealed at rest. */
@Injectable()
export class IdentityProvidersRepository {
  constructor(
    private readonly tx: TransactionHost,
    private readonly cipher: SecretCipher,
  ) {}

  async insert(provider: IdentityProvider): Promise<void> {
    await this.tx.query(
      `INSERT INTO identity_providers (alias, rev, issuer, client_id, client_secret, allow_signup, default_roles, require_totp, created, modified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [provider.alias, ...this.values(provider)],
    );
  }

  async findByAlias(alias: string): Promise<IdentityProvider | null> {
    const rows: Record<string, any>[] = await this.tx.query(`${SELECT_PROVIDER} WHERE alias = $1`, [alias]);
    return rows.length ? this.toProvider(rows[0]) : null;
  }

  async list(limit: number, cursor?: string): Promise<Page<IdentityProvider>> {
    const [after] = (decodeCursor(cursor, ['string']) ?? []) as string[];
    const rows: Record<string, any>[] = await this.tx.query(
      `${SELECT_PROVIDER} WHERE ($1::text IS NULL OR alias > $1) ORDER BY alias LIMIT $2`,
      [after ?? null, limit + 1],
    );
    return toPage(rows.map(this.toProvider), limit, (provider) => [provider.alias]);
  }

  /** Replaces the provider if it is still at `expectedRev`; false when it is not (or is gone). */
  async replaceIfRev(expectedRev: string, provider: IdentityProvider): Promise<boolean> {
    const [, count] = await this.tx.query(
      `UPDATE identity_providers SET rev = $2, issuer = $3, client_id = $4, client_secret = $5, allow_signup = $6, default_roles = $7,
              require_totp = $8, created = $9, modified = $10
       WHERE alias = $1 AND rev = $11`,
      [provider.alias, ...this.values(provider), expectedRev],
    );
    return count > 0;
  }

  /** Deletes the provider and, by cascade, every identity linked at it; false when there was none. */
  async delete(alias: string): Promise<boolean> {
    const [, count] = await this.tx.query('DELETE FROM identity_providers WHERE alias = $1', [alias]);
    return count > 0;
  }

  private values(provider: IdentityProvider): unknown[] {
    const secret = provider.clientSecret === null ? null : this.cipher.seal(provider.clientSecret, secretContext(provider.alias));
    return [
      provider.rev,
      provider.issuer,
      provider.clientId,
      secret,
      provider.allowSignup,
      provider.defaultRoles,
      provider.requireTotp,
      provider.created,
      provider.modified,
    ];
  }

  private readonly toProvider = (row: Record<string, any>): IdentityProvider => ({
    alias: row.alias,
    rev: row.rev,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: row.client_secret === null ? null : this.cipher.open(row.client_secret, secretContext(row.alias)),
    allowSignup: row.allow_signup,
    defaultRoles: row.default_roles,
    requireTotp: row.require_totp,
    created: Number(row.created),
    modified: Number(row.modified),
  });
}

/** Each sealed secret is bound to its row: copied to another provider, it does not open. */
const secretContext = (alias: string) => `identity_providers.client_secret:${alias}`;
