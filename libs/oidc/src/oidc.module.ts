import { Module } from '@nestjs/common';
import { ApplicationsModule } from '@careid/applications';
import { IdentityModule } from '@careid/identity';
import { ProviderPages } from './api/provider-pages';
import { FederationStates } from './application/federation-states';
import { HostedSignIn } from './application/hosted-sign-in';
import { OpenIdProvider } from './application/openid-provider';
import { ProviderAccounts } from './application/provider-accounts';
import { SigningKeys } from './application/signing-keys';
import { OidcPayloadsRepository } from './infrastructure/oidc-payloads.repository';
import { SessionLinksRepository } from './infrastructure/session-links.repository';
import { SigningKeysRepository } from './infrastructure/signing-keys.repository';

/** Careid as an OpenID provider (issuer PUBLIC_URL); its HTTP routes are mounted by mountOpenIdProvider. */
@Module({
  imports: [IdentityModule, ApplicationsModule],
  providers: [
    OidcPayloadsRepository,
    SigningKeysRepository,
    SessionLinksRepository,
    SigningKeys,
    ProviderAccounts,
    ProviderPages,
    OpenIdProvider,
    HostedSignIn,
    FederationStates,
  ],
  exports: [OpenIdProvider, SigningKeys],
})
export class OidcModule {}
