import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import type { AppConfigService } from '@careid/shared';
import { AuditController } from './api/audit.controller';
import { AuthController } from './api/auth.controller';
import { PasswordResetController } from './api/password-reset.controller';
import { AccessGuard } from './api/access.guard';
import { RouteAccessCheck } from './api/route-access';
import { UsersController } from './api/users.controller';
import { FederatedIdentitiesController } from './api/federated-identities.controller';
import { IdentityProvidersController } from './api/identity-providers.controller';
import { LoginMethodsGuard } from './api/login-methods.guard';
import { FederatedAccounts } from './application/federation/federated-accounts';
import { FederatedSignIn } from './application/federation/federated-sign-in';
import { IdTokenVerifier } from './application/federation/id-token-verifier';
import { IdentityProvidersService } from './application/federation/identity-providers.service';
import { FederatedIdTokenStrategy } from './application/login/federated-id-token.strategy';
import { LoginMethods } from './application/login/login-methods';
import { LoginRules } from './application/login/login-rules';
import { LoginTokenStrategy } from './application/login/login-token.strategy';
import { PasswordLogins } from './application/login/password-logins';
import { PasswordStrategy } from './application/login/password.strategy';
import { ActivationService } from './application/activation.service';
import { AdminSeeder } from './application/admin-seeder';
import { AuditTrail } from './application/audit-trail';
import { CredentialLifecycle } from './application/credential-lifecycle.service';
import { Credentials } from './application/credentials';
import { PasswordResetService } from './application/password-reset.service';
import { Tickets } from './application/tickets';
import { StreamTickets } from './application/stream-tickets';
import { LockoutService } from './application/lockout.service';
import { LoginTokensService } from './application/login-tokens.service';
import { PasswordHasher } from './application/password-hasher';
import { PrincipalCache } from './application/principal-cache';
import { SessionsService } from './application/sessions.service';
import { TwoFactorService } from './application/two-factor.service';
import { UsersService } from './application/users.service';
import { AuditEventsRepository } from './infrastructure/audit-events.repository';
import { CredentialsRepository } from './infrastructure/credentials.repository';
import { LoginFailuresRepository } from './infrastructure/login-failures.repository';
import { LoginTokensRepository } from './infrastructure/login-tokens.repository';
import { PrincipalsRepository } from './infrastructure/principals.repository';
import { TicketsRepository } from './infrastructure/tickets.repository';
import { StreamTicketsRepository } from './infrastructure/stream-tickets.repository';
import { SecretCipher } from './infrastructure/secret-cipher';
import { SeededAdminRepository } from './infrastructure/seeded-admin.repository';
import { TotpSecretsAtRest } from './infrastructure/totp-secrets-at-rest';
import { UsersRepository } from './infrastructure/users.repository';
import { FederatedIdentitiesRepository } from './infrastructure/federated-identities.repository';
import { IdentityProvidersRepository } from './infrastructure/identity-providers.repository';
import { ProviderKeys } from './infrastructure/provider-keys';

@Module({
  imports: [
    DiscoveryModule,
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: AppConfigService) => ({
        // A KeyObject built once: jsonwebtoken would re-derive a string secret on every call.
        secret: createSecretKey(Buffer.from(config.get('auth', { infer: true }).jwtSecret, 'utf8')) as unknown as Buffer,
      }),
    }),
  ],
  controllers: [
    AuthController,
    PasswordResetController,
    UsersController,
    FederatedIdentitiesController,
    IdentityProvidersController,
    AuditController,
  ],
  providers: [
    UsersRepository,
    CredentialsRepository,
    LoginTokensRepository,
    LoginFailuresRepository,
    AuditEventsRepository,
    PrincipalsRepository,
    TicketsRepository,
    Tickets,
    StreamTicketsRepository,
    StreamTickets,
    PasswordResetService,
    CredentialLifecycle,
    SecretCipher,
    TotpSecretsAtRest,
    SeededAdminRepository,
    UsersService,
    PasswordHasher,
    PrincipalCache,
    SessionsService,
    LoginTokensService,
    LockoutService,
    TwoFactorService,
    // Login methods (passport strategies) and the rules they all go through.
    LoginRules,
    PasswordLogins,
    PasswordStrategy,
    LoginTokenStrategy,
    FederatedIdTokenStrategy,
    LoginMethods,
    LoginMethodsGuard,
    // External identity providers.
    IdentityProvidersRepository,
    FederatedIdentitiesRepository,
    ProviderKeys,
    IdTokenVerifier,
    IdentityProvidersService,
    FederatedAccounts,
    FederatedSignIn,
    ActivationService,
    AuditTrail,
    Credentials,
    AdminSeeder,
    { provide: APP_GUARD, useClass: AccessGuard },
    RouteAccessCheck,
  ],
  exports: [UsersService, Credentials, SessionsService, AuditTrail, SecretCipher, FederatedSignIn],
})
export class IdentityModule {}
