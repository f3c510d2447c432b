import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { IdentityProvider } from '../../domain/federation';
import { identityError } from '../../domain/identity.errors';
import { IdentityProvidersRepository } from '../../infrastructure/identity-providers.repository';
import { postProviderForm, ProviderFetchError } from '../../infrastructure/provider-http';
import { ProviderEndpoints, ProviderKeys } from '../../infrastructure/provider-keys';
import { AuditTrail } from '../audit-trail';

/** What Careid keeps (server-side, sealed) between its authorization request to a provider and the provider's answer. */
export interface FederatedFlow {
  provider: string;
  /** RFC 9207: an `iss` in the provider's answer must be this. */
  issuer: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

/** The providers a sign-in page offers; more than this many would not fit on it anyway. */
const MAX_CHOICES = 20;
/** An ID token larger than this is not one (providers send a few kilobytes). */
const MAX_ID_TOKEN_LENGTH = 16 * 1024;
/** What Careid asks a provider for: the identity claims federated sign-in reads (FederatedAccounts). */
const SCOPE = 'openid email profile';

/**
 * Careid as the relying party of an external identity provider, for the
 * hosted sign-in page's "Continue with <provider>": an authorization code
 * request with PKCE (S256), state and nonce, and the code exchanged at the
 * provider's token endpoint with the provider record's client credentials.
 * The ID token it gives then signs the person in through the
 * federated-id-token login method (Credentials.signInWithIdToken), verified
 * exactly as token exchange verifies it, nonce included.
 */
@Injectable()
export class FederatedSignIn {
  private readonly logger = new Logger(FederatedSignIn.name);

  constructor(
    private readonly providers: IdentityProvidersRepository,
    private readonly keys: ProviderKeys,
    private readonly audit: AuditTrail,
  ) {}

  /** The aliases of the providers a person may continue with, in alias order. */
  async choices(): Promise<string[]> {
    return (await this.providers.list(MAX_CHOICES)).rows.map((provider) => provider.alias);
  }

  /** The provider's authorization URL for this request, and what the answer must be checked against. */
  async begin(alias: string, redirectUri: string, state: string): Promise<{ authorizationUrl: string; flow: FederatedFlow }> {
    const provider = await this.providerOf(alias);
    const { authorizationEndpoint } = await this.endpointsOf(provider);
    const codeVerifier = randomBytes(32).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const url = new URL(authorizationEndpoint);
    const params = {
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: redirectUri,
      scope: SCOPE,
      state,
      nonce,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return { authorizationUrl: url.toString(), flow: { provider: alias, issuer: provider.issuer, nonce, codeVerifier, redirectUri } };
  }

  /**
   * The ID token the provider's token endpoint gives for `code` (with the PKCE verifier, and the client secret when
   * the provider record has one: client_secret_basic, or client_secret_post when discovery offers only that). A
   * refusal is audited and answers FEDERATED_LOGIN_REFUSED; a provider that cannot be reached IDENTITY_PROVIDER_UNAVAILABLE.
   */
  async exchangeCode(flow: FederatedFlow, code: string): Promise<string> {
    const provider = await this.providerOf(flow.provider);
    const { tokenEndpoint, tokenEndpointAuthMethods } = await this.endpointsOf(provider);
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: flow.redirectUri,
      code_verifier: flow.codeVerifier,
    };
    const headers: Record<string, string> = {};
    const secret = provider.clientSecret;
    if (secret === null) form.client_id = provider.clientId;
    else if (tokenEndpointAuthMethods.includes('client_secret_basic') || !tokenEndpointAuthMethods.includes('client_secret_post')) {
      // RFC 6749 2.3.1: each part form-encoded before the Basic scheme's base64.
      const pair = `${encodeURIComponent(provider.clientId)}:${encodeURIComponent(secret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else Object.assign(form, { client_id: provider.clientId, client_secret: secret });
    let answer: { status: number; body: Record<string, unknown> };
    try {
      answer = await postProviderForm(tokenEndpoint, form, headers);
    } catch (error) {
      if (!(error instanceof ProviderFetchError)) throw error;
      this.logger.warn({ provider: provider.alias, cause: error.message }, 'Identity provider token endpoint unavailable');
      await this.refused(provider, 'provider-unavailable');
      throw identityError('IDENTITY_PROVIDER_UNAVAILABLE');
    }
    const idToken = answer.body.id_token;
    if (answer.status !== 200 || typeof idToken !== 'string' || idToken.length > MAX_ID_TOKEN_LENGTH) {
      const error = typeof answer.body.error === 'string' ? answer.body.error.slice(0, 40) : `status-${answer.status}`;
      await this.refused(provider, `code-exchange-${error}`);
      throw identityError('FEDERATED_LOGIN_REFUSED');
    }
    return idToken;
  }

  /** The provider said no at its own page (`error=access_denied`, ...): recorded like any refused sign-in. */
  async providerRefused(flow: FederatedFlow, error: string): Promise<void> {
    const provider = await this.providers.findByAlias(flow.provider);
    if (provider) await this.refused(provider, `provider-${error.replace(/[^\w-]/g, '').slice(0, 40)}`);
  }

  private async providerOf(alias: string): Promise<IdentityProvider> {
    const provider = await this.providers.findByAlias(alias);
    if (!provider) throw identityError('UNKNOWN_IDENTITY_PROVIDER');
    return provider;
  }

  private async endpointsOf(provider: IdentityProvider): Promise<ProviderEndpoints> {
    try {
      return await this.keys.endpointsOf(provider.issuer);
    } catch (error) {
      if (!(error instanceof ProviderFetchError)) throw error;
      this.logger.warn({ provider: provider.alias, cause: error.message }, 'Identity provider endpoints unavailable');
      throw identityError('IDENTITY_PROVIDER_UNAVAILABLE');
    }
  }

  private refused(provider: IdentityProvider, reason: string): Promise<void> {
    return this.audit.record({
      type: 'LOGIN_FAILED',
      outcome: 'failure',
      targetType: 'User',
      targetId: null,
      actorId: null,
      details: { provider: provider.alias, method: 'federated-id-token', flow: 'authorization-code', reason },
    });
  }
}
