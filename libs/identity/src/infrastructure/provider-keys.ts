import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { AppConfigService } from '@careid/shared';
import { isAllowedProviderUrl } from '../domain/federation';
import { fetchProviderJson, ProviderFetchError } from './provider-http';

/** Discovery is read again after an hour (a moved JWKS), keys after ten minutes (rotation announced ahead). */
const DISCOVERY_MAX_AGE_MS = 60 * 60 * 1000;
const KEYS_MAX_AGE_MS = 10 * 60 * 1000;
/** Issuers remembered per instance: providers are few; an issuer an admin replaced ages out. */
const MAX_ISSUERS = 100;

/** Where a provider signs people in (its authorization and token endpoints), for the hosted page's "Continue with". */
export interface ProviderEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** The token endpoint's client authentication methods, as discovery lists them (client_secret_basic when it lists none). */
  tokenEndpointAuthMethods: string[];
}

interface Discovered {
  jwksUri: string;
  endpoints: ProviderEndpoints | null;
  discoveredAt: number;
}

interface IssuerKeys extends Discovered {
  resolve: JWTVerifyGetKey;
  fetchedAt: number;
}

/**
 * What Careid knows of each provider's signing keys, per instance: its
 * discovery document's `jwks_uri` and the key set there, fetched on first
 * use and refreshed by age. A token naming a key the cached set lacks (the
 * provider rotated) refetches the set, at most once per
 * FEDERATION_JWKS_COOLDOWN_SECONDS, so that tokens with made-up key ids
 * cannot make Careid hammer the provider. When a refresh fails, the keys
 * already known keep working.
 */
@Injectable()
export class ProviderKeys {
  private readonly logger = new Logger(ProviderKeys.name);
  private readonly issuers = new Map<string, IssuerKeys>();
  /** The fetch under way per issuer, shared by the requests that need it. */
  private readonly loading = new Map<string, Promise<IssuerKeys>>();
  private readonly cooldownMs: number;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    this.cooldownMs = config.get('auth', { infer: true }).federationJwksCooldownSeconds * 1000;
  }

  /**
   * Reads the issuer's discovery document and key set now (an admin creates or changes a provider), and keeps
   * them. Throws ProviderFetchError saying what is wrong.
   */
  async discover(issuer: string): Promise<void> {
    const discovered = await this.readDiscovery(issuer);
    this.remember(issuer, await this.loadKeys(discovered));
  }

  /** jose's key lookup for ID tokens of `issuer`; throws ProviderFetchError when no key set can be had. */
  resolverFor(issuer: string): JWTVerifyGetKey {
    return async (header, token) => {
      const entry = await this.current(issuer);
      try {
        return await entry.resolve(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - entry.fetchedAt < this.cooldownMs) throw error;
        // A failed refetch keeps the known keys: the token is then refused for its key, not the provider's outage.
        return (await this.refresh(issuer, entry, false)).resolve(header, token);
      }
    };
  }

  /** The provider's endpoints of the authorization code flow; ProviderFetchError when its discovery names none usable. */
  async endpointsOf(issuer: string): Promise<ProviderEndpoints> {
    const { endpoints } = await this.current(issuer);
    if (!endpoints) throw new ProviderFetchError(`${issuer} names no https authorization and token endpoints`);
    return endpoints;
  }

  private async current(issuer: string): Promise<IssuerKeys> {
    const entry = this.issuers.get(issuer);
    if (!entry) return this.refresh(issuer, undefined, true);
    const now = Date.now();
    if (now - entry.discoveredAt > DISCOVERY_MAX_AGE_MS || now - entry.fetchedAt > KEYS_MAX_AGE_MS)
      return this.refresh(issuer, entry, false);
    return entry;
  }

  /** Fetches again, one fetch at a time per issuer; when it fails, keys already known are kept unless `required`. */
  private async refresh(issuer: string, entry: IssuerKeys | undefined, required: boolean): Promise<IssuerKeys> {
    let loading = this.loading.get(issuer);
    if (!loading) {
      loading = (async () => {
        const rediscover = !entry || Date.now() - entry.discoveredAt > DISCOVERY_MAX_AGE_MS;
        const discovered = rediscover ? await this.readDiscovery(issuer) : entry;
        return this.remember(issuer, await this.loadKeys(discovered));
      })().finally(() => this.loading.delete(issuer));
      this.loading.set(issuer, loading);
    }
    try {
      return await loading;
    } catch (error) {
      if (required || !entry) throw error;
      this.logger.warn({ issuer, cause: (error as Error).message }, 'Keeping the identity provider keys already known');
      return entry;
    }
  }

  private async readDiscovery(issuer: string): Promise<Discovered> {
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const document = await fetchProviderJson(url);
    // OpenID Connect Discovery 4.3: the document's issuer is exactly the one asked about.
    if (document.issuer !== issuer) throw new ProviderFetchError(`${url} names another issuer`);
    if (!isAllowedProviderUrl(document.jwks_uri)) throw new ProviderFetchError(`${url} has no https jwks_uri`);
    const { authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint } = document;
    const methods = document.token_endpoint_auth_methods_supported;
    // A provider used only through token exchange needs no endpoints: their absence refuses only its "Continue with".
    const endpoints =
      isAllowedProviderUrl(authorizationEndpoint) && isAllowedProviderUrl(tokenEndpoint)
        ? {
            authorizationEndpoint,
            tokenEndpoint,
            tokenEndpointAuthMethods: Array.isArray(methods) ? methods.filter((method) => typeof method === 'string') : [],
          }
        : null;
    return { jwksUri: document.jwks_uri, endpoints, discoveredAt: Date.now() };
  }

  private async loadKeys(discovered: Discovered): Promise<IssuerKeys> {
    const jwks = await fetchProviderJson(discovered.jwksUri);
    let resolve: JWTVerifyGetKey;
    try {
      resolve = createLocalJWKSet(jwks as never);
    } catch {
      throw new ProviderFetchError(`${discovered.jwksUri} is not a JSON Web Key Set`);
    }
    return { ...discovered, resolve, fetchedAt: Date.now() };
  }

  private remember(issuer: string, entry: IssuerKeys): IssuerKeys {
    this.issuers.delete(issuer);
    this.issuers.set(issuer, entry);
    if (this.issuers.size > MAX_ISSUERS) this.issuers.delete(this.issuers.keys().next().value!);
    return entry;
  }
}
