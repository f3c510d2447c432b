import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApplicationsService } from '@careid/applications';
import { Credentials, FederatedSignIn, SecretCipher } from '@careid/identity';
import { AppConfigService, DomainError } from '@careid/shared';
import type { InteractionDetails } from '../domain/provider-types';
import { INTERACTION_PATH } from './provider-configuration';
import { FederationStates } from './federation-states';
import { OpenIdProvider } from './openid-provider';
import { ProviderAccounts } from './provider-accounts';

/** What the sign-in page shows: the first step (login and password or token), or the TOTP step. */
export interface SignInForm {
  kind: 'form';
  step: 'password' | 'totp';
  applicationName: string;
  login: string;
  /** Why the last attempt failed, in words for the person. */
  error?: string;
  /** Where a form post may be redirected to: the application's redirect URI. */
  redirectUri: string;
  /** Where the form posts: the interaction's page (the form may be shown at the federation callback's URL). */
  action: string;
  /** "Continue with <label>": a plain link (GET) to each external identity provider. */
  continueWith: { label: string; href: string }[];
}

export type SignInAnswer = SignInForm | { kind: 'redirect'; to: string };

export interface SignInFields {
  login?: string;
  password?: string;
  code?: string;
}

/** What the provider sent back to the federation callback (its query). */
export interface ProviderAnswer {
  code?: string;
  state?: string;
  error?: string;
  iss?: string;
}

/** A first step that succeeded but owes the TOTP code: kept sealed in the interaction, never sent to the browser. */
type PendingSignIn = { login: string; password: string } | { provider: string; idToken: string; nonce: string };

const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: 'The login or the password is not correct.',
  ACCOUNT_NOT_ACTIVE: 'This account cannot sign in.',
  TOTP_INVALID: 'The code is not correct.',
  LOGIN_LOCKED: 'Too many failed attempts for this login. Try again later.',
  FEDERATED_LOGIN_REFUSED: 'Your account at that identity provider does not sign you in here.',
  UNKNOWN_IDENTITY_PROVIDER: 'This identity provider is not available here.',
  IDENTITY_PROVIDER_UNAVAILABLE: 'The identity provider cannot be reached. Try again later.',
  FEDERATION_STATE_INVALID: 'This answer from the identity provider is not valid or was already used. Start again.',
  FEDERATION_REFUSED: 'The identity provider did not sign you in.',
};

/** Where external identity providers send people back (registered there as the redirect URI of Careid's client). */
export const FEDERATION_CALLBACK_PATH = '/oidc/federation/callback';

const pendingContext = (uid: string) => `oidc.interaction.pending:${uid}`;

/**
 * The hosted sign-in behind /oidc/interaction/:uid: the login step checks
 * credentials through identity (exactly as `POST /auth/login`: password or
 * login token, lockout, status, TOTP as a second step) and opens the Careid
 * session the provider's tokens will carry. "Continue with <provider>"
 * does the same through an external identity provider: Careid's own code
 * flow there (FederatedSignIn), and its ID token through the
 * federated-id-token login method. The consent step records the grant
 * without asking, every application being registered by an admin.
 */
@Injectable()
export class HostedSignIn {
  private readonly linkLifetimeMs: number;
  private readonly callbackUri: string;

  constructor(
    private readonly openId: OpenIdProvider,
    private readonly credentials: Credentials,
    private readonly accounts: ProviderAccounts,
    private readonly cipher: SecretCipher,
    private readonly applications: ApplicationsService,
    private readonly federated: FederatedSignIn,
    private readonly states: FederationStates,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.linkLifetimeMs = config.get('auth', { infer: true }).refreshAbsoluteSeconds * 1000;
    this.callbackUri = config.get('app', { infer: true }).publicUrl.replace(/\/$/, '') + FEDERATION_CALLBACK_PATH;
  }

  /** What GET shows: the form of the current step, or the way on once nothing is left to ask. */
  async open(req: unknown, res: unknown): Promise<SignInAnswer> {
    const details = await this.openId.provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') return { kind: 'redirect', to: await this.recordGrant(req, res, details) };
    return this.form(details, details.result?.careidPending ? 'totp' : 'password');
  }

  async submit(req: unknown, res: unknown, fields: SignInFields): Promise<SignInAnswer> {
    const details = await this.openId.provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') return this.open(req, res);
    const pending = details.result?.careidPending as string | undefined;
    if (pending && fields.code !== undefined)
      return this.attempt(
        req,
        res,
        details,
        JSON.parse(this.cipher.open(pending, pendingContext(details.uid))) as PendingSignIn,
        fields.code,
      );
    return this.attempt(req, res, details, { login: fields.login ?? '', password: fields.password ?? '' });
  }

  /** "Continue with <alias>": the provider's authorization URL, its state, nonce and PKCE verifier kept for the callback. */
  async continueWith(req: unknown, res: unknown, alias: string): Promise<SignInAnswer> {
    const details = await this.openId.provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') return this.open(req, res);
    const state = this.states.newState(details.uid);
    try {
      const { authorizationUrl, flow } = await this.federated.begin(alias, this.callbackUri, state);
      await this.states.keep(details.uid, state, flow, details.exp * 1000);
      return { kind: 'redirect', to: authorizationUrl };
    } catch (error) {
      return this.refusal(details, error);
    }
  }

  /**
   * The provider's answer, in the browser that started the request (the interaction's cookie): its state must be the
   * one kept, which is used up whatever the answer; then its code signs the person in, or its error is shown.
   */
  async federationCallback(req: unknown, res: unknown, answer: ProviderAnswer): Promise<SignInAnswer> {
    const details = await this.openId.provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') return this.open(req, res);
    const kept = await this.states.take(details.uid, answer.state);
    if (!kept) return this.form(details, 'password', undefined, MESSAGES.FEDERATION_STATE_INVALID);
    try {
      if (answer.error !== undefined || !answer.code || (answer.iss !== undefined && answer.iss !== kept.flow.issuer)) {
        await this.federated.providerRefused(kept.flow, answer.error ?? 'no-code');
        return this.form(details, 'password', undefined, MESSAGES.FEDERATION_REFUSED);
      }
      const idToken = await this.federated.exchangeCode(kept.flow, answer.code);
      return await this.attempt(req, res, details, { provider: kept.flow.provider, idToken, nonce: kept.flow.nonce });
    } catch (error) {
      return this.refusal(details, error);
    }
  }

  /** One sign-in attempt, with a password or a provider's ID token: the way on, the TOTP step, or the form saying why not. */
  private async attempt(
    req: unknown,
    res: unknown,
    details: InteractionDetails,
    attempt: PendingSignIn,
    totp?: string,
  ): Promise<SignInAnswer> {
    const login = 'login' in attempt ? attempt.login : '';
    try {
      const { userId, sessionId } =
        'login' in attempt
          ? await this.credentials.signIn({ ...attempt, totp })
          : await this.credentials.signInWithIdToken({ ...attempt, totp });
      const amr = [...('login' in attempt ? ['pwd'] : []), ...(totp !== undefined ? ['otp'] : [])];
      const to = await this.openId.provider.interactionResult(
        req,
        res,
        { login: { accountId: userId, ...(amr.length ? { amr } : {}) }, careid: { sessionId } },
        { mergeWithLastSubmission: false },
      );
      return { kind: 'redirect', to };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'TOTP_REQUIRED') {
        details.result = { careidPending: this.cipher.seal(JSON.stringify(attempt), pendingContext(details.uid)) };
        await details.save(details.exp - Math.floor(Date.now() / 1000));
        return this.form(details, 'totp', login);
      }
      return this.refusal(details, error, totp !== undefined, login);
    }
  }

  /** The form again, saying why the attempt failed; anything that is not a known refusal goes on up. */
  private refusal(details: InteractionDetails, error: unknown, atTotp = false, login?: string): Promise<SignInForm> {
    const message = error instanceof DomainError ? MESSAGES[error.code] : undefined;
    if (!message) throw error;
    return this.form(details, atTotp && (error as DomainError).code === 'TOTP_INVALID' ? 'totp' : 'password', login, message);
  }

  private async form(details: InteractionDetails, step: 'password' | 'totp', login?: string, error?: string): Promise<SignInForm> {
    const { params } = details;
    const client = await this.applications.findClient(String(params.client_id));
    const aliases = step === 'password' ? await this.federated.choices() : [];
    return {
      kind: 'form',
      step,
      applicationName: client?.application.name ?? '',
      login: login ?? (typeof params.login_hint === 'string' ? params.login_hint.slice(0, 200) : ''),
      error,
      redirectUri: String(params.redirect_uri ?? ''),
      action: `${INTERACTION_PATH}/${encodeURIComponent(details.uid)}`,
      continueWith: aliases.map((alias) => ({
        label: alias,
        href: `${INTERACTION_PATH}/${encodeURIComponent(details.uid)}/federation/${encodeURIComponent(alias)}`,
      })),
    };
  }

  /**
   * First-party applications are not asked for consent: the grant is recorded, with every scope, claim and resource
   * the request needs, and linked to the Careid session of the sign-in (the one just made, else the provider session's).
   */
  private async recordGrant(req: unknown, res: unknown, details: InteractionDetails): Promise<string> {
    const provider = this.openId.provider;
    const { session, params, prompt, lastSubmission } = details;
    const expiresAt = Date.now() + this.linkLifetimeMs;
    let link = null;
    if (session && typeof lastSubmission?.careid?.sessionId === 'string') {
      link = { sessionId: lastSubmission.careid.sessionId as string, userId: session.accountId };
      await this.accounts.link('session', session.uid, link, expiresAt);
    } else if (session) {
      link = await this.accounts.liveSessionOf(session.uid);
    }
    if (!session || !link)
      return provider.interactionResult(
        req,
        res,
        { error: 'login_required', error_description: 'sign in again' },
        { mergeWithLastSubmission: false },
      );
    const grant =
      (details.grantId && (await provider.Grant.find(details.grantId))) ||
      new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [resource, scopes] of Object.entries((missingResourceScopes ?? {}) as Record<string, string[]>))
      grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    await this.accounts.link('grant', grantId, link, expiresAt);
    return provider.interactionResult(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
}
