import { createHmac } from 'node:crypto';
import type { Application } from '@careid/applications';
import type { Configuration } from '@careid/shared';
import type { OidcProviderModule, ProviderContext, ProviderToken } from '../domain/provider-types';
import type { ProviderAccount } from './provider-accounts';
import type { PrivateJwk } from './signing-keys';
import type { ProviderAdapter } from './provider-storage';

/** Where the provider's endpoints live, below the issuer (PUBLIC_URL); discovery stays at /.well-known/openid-configuration. */
export const OIDC_PREFIX = '/oidc';
export const INTERACTION_PATH = `${OIDC_PREFIX}/interaction`;

const ROUTES = {
  authorization: `${OIDC_PREFIX}/auth`,
  token: `${OIDC_PREFIX}/token`,
  jwks: `${OIDC_PREFIX}/jwks`,
  userinfo: `${OIDC_PREFIX}/me`,
  end_session: `${OIDC_PREFIX}/session/end`,
  revocation: `${OIDC_PREFIX}/token/revocation`,
};

/** Every path and method the provider answers with the features Careid turns on (each mounted explicitly: no catch-all). */
export const PROVIDER_ROUTES: [string, ('GET' | 'POST' | 'OPTIONS')[]][] = [
  ['/.well-known/openid-configuration', ['GET', 'OPTIONS']],
  [ROUTES.authorization, ['GET', 'POST']],
  [`${ROUTES.authorization}/:uid`, ['GET']],
  [ROUTES.token, ['POST', 'OPTIONS']],
  [ROUTES.jwks, ['GET', 'OPTIONS']],
  [ROUTES.userinfo, ['GET', 'POST', 'OPTIONS']],
  [ROUTES.end_session, ['GET', 'POST']],
  [`${ROUTES.end_session}/confirm`, ['POST']],
  [`${ROUTES.end_session}/success`, ['GET']],
  [ROUTES.revocation, ['POST', 'OPTIONS']],
];

export interface ProviderParts {
  configuration: Configuration;
  keys: PrivateJwk[];
  adapter: (name: string) => ProviderAdapter;
  findAccount(userId: string, token?: ProviderToken): Promise<ProviderAccount | undefined>;
  /** A login check: whether the provider session's Careid session still holds (else the user signs in again). */
  signInHolds(ctx: ProviderContext): Promise<boolean>;
  loadExistingGrant(ctx: ProviderContext): Promise<unknown>;
  logoutSource(ctx: ProviderContext, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: ProviderContext): Promise<void>;
  renderError(ctx: ProviderContext, out: Record<string, string>): Promise<void>;
}

/** A registered application as oidc-provider's client metadata: public clients authenticate with nothing and must use PKCE. */
export function clientMetadata(application: Application, clientSecret: string | null): Record<string, unknown> {
  const native = application.redirectUris.some((uri) => !/^https?:/i.test(uri));
  return {
    client_id: application.clientId,
    client_name: application.name,
    ...(clientSecret
      ? { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
      : { token_endpoint_auth_method: 'none' }),
    application_type: native ? 'native' : 'web',
    redirect_uris: application.redirectUris,
    post_logout_redirect_uris: application.postLogoutRedirectUris,
    grant_types: application.allowedScopes.includes('offline_access') ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    response_types: ['code'],
    scope: application.allowedScopes.join(' '),
  };
}

/** The login prompt with one more check: a sign-in whose Careid session ended (logout, password reset, ...) is asked again. */
function interactionPolicy(library: OidcProviderModule, parts: ProviderParts): unknown {
  const { base, Check } = library.interactionPolicy;
  const policy = base();
  policy
    .get('login')
    .checks.add(
      new Check('careid_session_ended', 'the Careid session of this sign-in has ended', async (ctx) =>
        ctx.oidc.session?.accountId && !ctx.oidc.result?.login && !(await parts.signInHolds(ctx))
          ? Check.REQUEST_PROMPT
          : Check.NO_NEED_TO_PROMPT,
      ),
    );
  return policy;
}

/** oidc-provider's configuration for Careid (its options are named in the library's documentation). */
export function providerConfiguration(library: OidcProviderModule, parts: ProviderParts): Record<string, unknown> {
  const { auth } = parts.configuration;
  const cookieKey = createHmac('sha256', auth.dataEncryptionKey).update('careid oidc cookies').digest('base64url');
  return {
    adapter: parts.adapter,
    jwks: { keys: parts.keys },
    cookies: { keys: [cookieKey] },
    routes: ROUTES,
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub', 'patient', 'practitioner'], profile: ['name', 'preferred_username'], email: ['email'] },
    // The ID token carries the claims its scopes grant (email, name, ...), also when an access token is issued.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // redirect_uri is always required (and matched exactly); this also keeps oidc-provider's error path off a null dereference.
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod === 'none' },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: parts.logoutSource, postLogoutSuccessSource: parts.postLogoutSuccessSource },
    },
    findAccount: (_ctx: unknown, sub: string, token?: ProviderToken) => parts.findAccount(sub, token),
    extraTokenClaims: (ctx: ProviderContext, token: ProviderToken) => {
      const careid = (ctx.oidc.account as ProviderAccount | undefined)?.careid;
      return token.kind === 'AccessToken' && careid ? { sid: careid.sessionId, sv: careid.sessionVersion } : undefined;
    },
    loadExistingGrant: parts.loadExistingGrant,
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PATH}/${interaction.uid}`,
      policy: interactionPolicy(library, parts),
    },
    rotateRefreshToken: true,
    renderError: parts.renderError,
    ttl: {
      AccessToken: auth.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 900,
      RefreshToken: auth.refreshIdleSeconds,
      Grant: auth.refreshAbsoluteSeconds,
      Session: auth.refreshAbsoluteSeconds,
    },
  };
}
