import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApplicationsService } from '@careid/applications';
import type { OpaqueAccessTokens } from '@careid/identity';
import type { AppConfigService, Configuration } from '@careid/shared';
import type { OidcProviderInstance, OidcProviderModule, ProviderContext, ProviderSession } from '../domain/provider-types';
import { OidcPayloadsRepository } from '../infrastructure/oidc-payloads.repository';
import { inModuleRealm, requireEsm } from '../infrastructure/require-esm';
import { SessionLinksRepository } from '../infrastructure/session-links.repository';
import { ProviderAccounts } from './provider-accounts';
import { clientMetadata, providerConfiguration, ProviderParts } from './provider-configuration';
import { ProviderPages } from '../api/provider-pages';
import { SigningKeys } from './signing-keys';
import { storageAdapter } from './provider-storage';

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Careid's OpenID provider: oidc-provider (an ES module, loaded through
 * requireEsm), its storage in PostgreSQL, its keys from SigningKeys, its
 * clients the registered applications, and its sessions and tokens bound to
 * Careid sessions (ProviderAccounts). Also answers the guard for the opaque
 * access tokens it issues.
 */
@Injectable()
export class OpenIdProvider implements OnApplicationBootstrap, OnModuleDestroy, OpaqueAccessTokens {
  private readonly logger = new Logger(OpenIdProvider.name);
  private readonly configuration: Configuration;
  private current: OidcProviderInstance | undefined;
  private handler: ((req: unknown, res: unknown) => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(ConfigService) config: AppConfigService,
    private readonly keys: SigningKeys,
    private readonly payloads: OidcPayloadsRepository,
    private readonly links: SessionLinksRepository,
    private readonly accounts: ProviderAccounts,
    private readonly applications: ApplicationsService,
    private readonly pages: ProviderPages,
  ) {
    this.configuration = {
      app: config.get('app', { infer: true }),
      auth: config.get('auth', { infer: true }),
    } as Configuration;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  get issuer(): string {
    return this.provider.issuer;
  }

  get provider(): OidcProviderInstance {
    if (!this.current) throw new Error('The OpenID provider is not started yet');
    return this.current;
  }

  /** The Node request handler of the provider's endpoints. */
  handle(req: unknown, res: unknown): void {
    if (!this.handler) throw new Error('The OpenID provider is not started yet');
    this.handler(req, res);
  }

  /** (Re)builds the provider with the stored keys: at start-up, and after a rotation. */
  async reload(): Promise<void> {
    const library = requireEsm<OidcProviderModule>('oidc-provider');
    const parts: ProviderParts = {
      configuration: this.configuration,
      keys: await this.keys.load(),
      adapter: storageAdapter(this.payloads, {
        findClient: async (clientId) => {
          const found = clientId.length <= 200 ? await this.applications.findClient(clientId) : null;
          return found ? inModuleRealm(clientMetadata(found.application, found.clientSecret)) : undefined;
        },
        grantEnded: (grantId) => this.accounts.end([], [grantId]),
      }),
      findAccount: async (userId, token) => {
        const account = await this.accounts.find(userId, token?.grantId);
        return account && inModuleRealm({ ...account, claims: () => inModuleRealm(account.claims()) });
      },
      signInHolds: async (ctx) => !!(ctx.oidc.session && (await this.accounts.liveSessionOf(ctx.oidc.session.uid))),
      loadExistingGrant: (ctx) => this.loadExistingGrant(ctx),
      logoutSource: (ctx, form) => this.pages.logout(ctx, form),
      postLogoutSuccessSource: (ctx) => this.pages.loggedOut(ctx),
      renderError: (ctx, out) => this.pages.error(ctx, out),
    };
    const provider = new library.default(
      this.configuration.app.publicUrl.replace(/\/$/, ''),
      inModuleRealm(providerConfiguration(library, parts)),
    );
    provider.proxy = this.configuration.app.trustedProxies.length > 0;
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'end_session' && !ctx.oidc.session?.accountId) this.pages.allowLogoutRedirect(ctx);
      if (ctx.oidc?.route === 'end_session_confirm' && ctx.oidc.session?.destroyed) await this.endSignIn(ctx.oidc.session);
    });
    provider.on('server_error', (_ctx: unknown, error: Error) => this.logger.error(`OpenID provider error: ${error.message}`, error.stack));
    this.current = provider;
    this.handler = provider.callback();
  }

  /** The guard's question for an opaque bearer token: the provider's access token, with the Careid session it carries. */
  async verify(token: string): Promise<{ sub: string; sv: number; sid: string; exp: number } | null> {
    const found = await this.provider.AccessToken.find(token);
    const sid = found?.extra?.sid;
    const sv = found?.extra?.sv;
    if (!found?.accountId || typeof sid !== 'string' || typeof sv !== 'number' || typeof found.exp !== 'number') return null;
    return { sub: found.accountId, sv, sid, exp: found.exp };
  }

  /**
   * The grant an authorization continues: the one just recorded, none right after a sign-in (so that a new grant is
   * linked to the new Careid session), else the session's own for this client.
   */
  private async loadExistingGrant(ctx: ProviderContext): Promise<unknown> {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId ?? (oidc.result?.login ? undefined : oidc.session?.grantIdFor(oidc.client!.clientId));
    return grantId ? (oidc.provider as OidcProviderInstance).Grant.find(grantId) : undefined;
  }

  /** A logout at the provider: the Careid sessions behind the sign-in and its grants end, everywhere. */
  private async endSignIn(session: ProviderSession): Promise<void> {
    const grantIds = Object.values(session.authorizations ?? {})
      .map((authorization) => authorization.grantId)
      .filter((id): id is string => !!id);
    await this.accounts.end([session.uid], grantIds);
  }

  private async sweep(): Promise<void> {
    try {
      const now = Date.now();
      await this.payloads.sweepExpired(now);
      await this.links.sweepExpired(now);
    } catch (error) {
      this.logger.warn(`Sweeping expired OpenID provider rows failed: ${(error as Error).message}`);
    }
  }
}
