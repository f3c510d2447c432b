import type { HttpClient } from '../http.js';
import type { Page, PageRequest } from '../models.js';
import type { components } from '../generated/schema.js';

/** An external OpenID provider as the API answers it (never its client secret). */
export type IdentityProviderDto = components['schemas']['IdentityProviderDto'];
/** A provider to add (no `rev`) or modify (`{ ...loaded, changes }`); `clientSecret` is write-only. */
export type IdentityProvider = components['schemas']['IdentityProviderWriteDto'];
/** A user's account at an identity provider. */
export type FederatedIdentityDto = components['schemas']['FederatedIdentityDto'];

/**
 * External identity providers users sign in with (Entra ID, Google Workspace, Okta, any OpenID provider;
 * admin), and users' linked accounts there. Signing in with a provider's ID token is
 * `authenticationApi.exchangeIdToken`.
 */
export class IdentityProviderApi {
  constructor(private readonly http: HttpClient) {}

  /** Adds the provider when it has no `rev` (Careid reads its discovery document first), else modifies it. */
  createOrModify(provider: IdentityProvider): Promise<IdentityProviderDto> {
    if (!provider.rev) return this.http.post('/api/v1/identity-providers', { body: provider });
    return this.http.put('/api/v1/identity-providers/{alias}', { path: { alias: provider.alias }, body: provider });
  }

  get(alias: string): Promise<IdentityProviderDto> {
    return this.http.get('/api/v1/identity-providers/{alias}', { path: { alias } });
  }

  list(page: PageRequest = {}): Promise<Page<IdentityProviderDto>> {
    return this.http.get('/api/v1/identity-providers', { query: page });
  }

  /** Removes the provider and its users' links to it. */
  async delete(alias: string): Promise<void> {
    await this.http.delete('/api/v1/identity-providers/{alias}', { path: { alias } });
  }

  /** The user's accounts at identity providers (yourself, or anyone as admin). */
  async identitiesOf(userId: string): Promise<FederatedIdentityDto[]> {
    return (await this.http.get('/api/v1/users/{id}/identities', { path: { id: userId } })).rows;
  }

  /** Unlinks the user's account at `provider` (its alias). */
  async unlinkIdentity(userId: string, provider: string): Promise<void> {
    await this.http.delete('/api/v1/users/{id}/identities/{provider}', { path: { id: userId, provider } });
  }
}
