import { Injectable } from '@nestjs/common';
import { firstRev, nextRev, Page, TransactionHost } from '@careid/shared';
import { assertDefaultRolesAllowed, assertIssuerAllowed, IdentityProvider } from '../../domain/federation';
import { identityError } from '../../domain/identity.errors';
import { FederatedIdentitiesRepository } from '../../infrastructure/federated-identities.repository';
import { IdentityProvidersRepository } from '../../infrastructure/identity-providers.repository';
import { ProviderFetchError } from '../../infrastructure/provider-http';
import { ProviderKeys } from '../../infrastructure/provider-keys';
import { AuditTrail } from '../audit-trail';

/** A provider as an admin writes it; on a modification, a field left out keeps its value (`clientSecret: null` removes the secret). */
export interface IdentityProviderInput {
  alias: string;
  rev?: string;
  issuer: string;
  clientId: string;
  clientSecret?: string | null;
  allowSignup?: boolean;
  defaultRoles?: string[];
  requireTotp?: boolean;
}

/**
 * The external identity providers an admin configures. Creating or changing
 * one reads the issuer's discovery document and key set first: a provider
 * Careid cannot read is refused then (400 IDENTITY_PROVIDER_UNREACHABLE),
 * not at its users' first sign-in.
 */
@Injectable()
export class IdentityProvidersService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly providers: IdentityProvidersRepository,
    private readonly identities: FederatedIdentitiesRepository,
    private readonly keys: ProviderKeys,
    private readonly audit: AuditTrail,
  ) {}

  async create(input: IdentityProviderInput): Promise<IdentityProvider> {
    const issuer = await this.checkedIssuer(input);
    const now = Date.now();
    const provider: IdentityProvider = {
      alias: input.alias,
      rev: firstRev(),
      issuer,
      clientId: input.clientId,
      clientSecret: input.clientSecret ?? null,
      allowSignup: input.allowSignup ?? false,
      defaultRoles: input.defaultRoles ?? [],
      requireTotp: input.requireTotp ?? false,
      created: now,
      modified: now,
    };
    await this.tx.run(async () => {
      await this.providers.insert(provider);
      await this.record('IDENTITY_PROVIDER_CREATED', provider);
    });
    return provider;
  }

  async get(alias: string): Promise<IdentityProvider> {
    const provider = await this.providers.findByAlias(alias);
    if (!provider) throw identityError('IDENTITY_PROVIDER_NOT_FOUND');
    return provider;
  }

  list(limit: number, cursor?: string): Promise<Page<IdentityProvider>> {
    return this.providers.list(limit, cursor);
  }

  async modify(alias: string, input: IdentityProviderInput): Promise<IdentityProvider> {
    if (input.alias !== alias) throw identityError('ALIAS_MISMATCH');
    if (!input.rev) throw identityError('REV_REQUIRED');
    const current = await this.get(alias);
    const issuer = await this.checkedIssuer(input);
    const rev = input.rev;
    const next: IdentityProvider = {
      ...current,
      rev: nextRev(rev),
      issuer,
      clientId: input.clientId,
      clientSecret: input.clientSecret === undefined ? current.clientSecret : input.clientSecret,
      allowSignup: input.allowSignup ?? current.allowSignup,
      defaultRoles: input.defaultRoles ?? current.defaultRoles,
      requireTotp: input.requireTotp ?? current.requireTotp,
      modified: Date.now(),
    };
    await this.tx.run(async () => {
      if (!(await this.providers.replaceIfRev(rev, next))) {
        throw (await this.providers.findByAlias(alias))
          ? identityError('REVISION_CONFLICT', 'The identity provider was modified meanwhile; reload it and apply your change again')
          : identityError('IDENTITY_PROVIDER_NOT_FOUND');
      }
      // Subjects are unique per issuer only: those linked under the old issuer name nobody at the new one.
      const unlinked = issuer !== current.issuer ? await this.identities.unlinkAllAt(alias) : 0;
      await this.record('IDENTITY_PROVIDER_MODIFIED', next, { unlinked });
    });
    return next;
  }

  /** Removes the provider and every identity linked at it; sessions already opened through it stay open. */
  async delete(alias: string): Promise<void> {
    await this.tx.run(async () => {
      if (!(await this.providers.delete(alias))) throw identityError('IDENTITY_PROVIDER_NOT_FOUND');
      await this.audit.record({ type: 'IDENTITY_PROVIDER_DELETED', targetType: 'IdentityProvider', targetId: alias });
    });
  }

  /** The issuer, once its form is allowed, the default roles grant no admin and its discovery and keys can be read. */
  private async checkedIssuer(input: IdentityProviderInput): Promise<string> {
    const issuer = assertIssuerAllowed(input.issuer);
    assertDefaultRolesAllowed(input.defaultRoles ?? []);
    try {
      await this.keys.discover(issuer);
    } catch (error) {
      if (!(error instanceof ProviderFetchError)) throw error;
      throw identityError('IDENTITY_PROVIDER_UNREACHABLE', `The issuer's OpenID configuration or keys could not be read: ${error.message}`);
    }
    return issuer;
  }

  private record(type: string, provider: IdentityProvider, extra: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record({
      type,
      targetType: 'IdentityProvider',
      targetId: provider.alias,
      details: {
        ...extra,
        issuer: provider.issuer,
        allowSignup: provider.allowSignup,
        defaultRoles: provider.defaultRoles,
        requireTotp: provider.requireTotp,
      },
    });
  }
}
