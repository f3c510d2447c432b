import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApplicationsService } from '@careid/applications';
import { Credentials, SecretCipher } from '@careid/identity';
import { AppConfigService, DomainError } from '@careid/shared';
import type { InteractionDetails } from '../domain/provider-types';
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
}

export type SignInAnswer = SignInForm | { kind: 'redirect'; to: string };

export interface SignInFields {
  login?: string;
  password?: string;
  code?: string;
}

const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: 'The login or the password is not correct.',
  ACCOUNT_NOT_ACTIVE: 'This account cannot sign in.',
  TOTP_INVALID: 'The code is not correct.',
  LOGIN_LOCKED: 'Too many failed attempts for this login. Try again later.',
};

const pendingContext = (uid: string) => `oidc.interaction.pending:${uid}`;

/**
 * The hosted sign-in behind /oidc/interaction/:uid: the login step checks
 * credentials through identity (exactly as `POST /auth/login`: password or
 * login token, lockout, status, TOTP as a second step) and opens the Careid
 * session the provider's tokens will carry; the consent step records the
 * grant without asking, every application being registered by an admin.
 */
@Injectable()
export class HostedSignIn {
  private readonly linkLifetimeMs: number;

  constructor(
    private readonly openId: OpenIdProvider,
    private readonly credentials: Credentials,
    private readonly accounts: ProviderAccounts,
    private readonly cipher: SecretCipher,
    private readonly applications: ApplicationsService,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.linkLifetimeMs = config.get('auth', { infer: true }).refreshAbsoluteSeconds * 1000;
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
    const attempt =
      pending && fields.code !== undefined
        ? {
            ...(JSON.parse(this.cipher.open(pending, pendingContext(details.uid))) as { login: string; password: string }),
            totp: fields.code,
          }
        : { login: fields.login ?? '', password: fields.password ?? '' };
    try {
      const { userId, sessionId } = await this.credentials.signIn(attempt);
      const to = await this.openId.provider.interactionResult(
        req,
        res,
        { login: { accountId: userId, amr: 'totp' in attempt ? ['pwd', 'otp'] : ['pwd'] }, careid: { sessionId } },
        { mergeWithLastSubmission: false },
      );
      return { kind: 'redirect', to };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'TOTP_REQUIRED') {
        // The password was right: kept sealed in the interaction for the second step, never sent back to the browser.
        const sealed = this.cipher.seal(JSON.stringify({ login: attempt.login, password: attempt.password }), pendingContext(details.uid));
        details.result = { careidPending: sealed };
        await details.save(details.exp - Math.floor(Date.now() / 1000));
        return this.form(details, 'totp', attempt.login);
      }
      const message = MESSAGES[error.code];
      if (!message) throw error;
      return this.form(details, pending && error.code === 'TOTP_INVALID' ? 'totp' : 'password', attempt.login, message);
    }
  }

  private async form(details: InteractionDetails, step: 'password' | 'totp', login?: string, error?: string): Promise<SignInForm> {
    const { params } = details;
    const client = await this.applications.findClient(String(params.client_id));
    return {
      kind: 'form',
      step,
      applicationName: client?.application.name ?? '',
      login: login ?? (typeof params.login_hint === 'string' ? params.login_hint.slice(0, 200) : ''),
      error,
      redirectUri: String(params.redirect_uri ?? ''),
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
