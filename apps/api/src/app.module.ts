import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ApplicationsModule } from '@careid/applications';
import { ACTIVATION_REDIRECTS, DATA_OWNER_DIRECTORY, IdentityModule, OPAQUE_ACCESS_TOKENS, PASSWORD_RESET_MAILER } from '@careid/identity';
import { APPLICATION_DIRECTORY, InvitationsModule, PROFILE_DIRECTORY } from '@careid/invitations';
import { OidcModule } from '@careid/oidc';
import { DELEGATE_DIRECTORY, NotificationsModule } from '@careid/notifications';
import { PatientsModule } from '@careid/patients';
import { PractitionersModule } from '@careid/practitioners';
import { AppConfigModule, Configuration, DatabaseModule, DomainEvents, ObservabilityModule } from '@careid/shared';
import { CONTEXT_BRIDGES } from './context-bridges';
import { HealthModule } from './health/health.module';
import { loggerParams } from './logging';
import { PERSISTENCE } from './persistence';

export interface AppModuleOptions {
  /** Modules mounted beside the real ones: a test's controller that throws, the bench's unguarded route (bench/app). */
  extraModules?: Type[];
  /** The process's logger (logging.ts: createRootLogger). */
  logger: Logger;
}

/** The composition root: wires the bounded contexts together, holds no logic. */
@Module({})
export class AppModule {
  static forRoot(configuration: Configuration, options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(configuration),
        LoggerModule.forRoot(loggerParams(options.logger)),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        DatabaseModule.forRoot(PERSISTENCE),
        ObservabilityModule,
        HealthModule,
        IdentityModule,
        PractitionersModule,
        PatientsModule,
        InvitationsModule,
        NotificationsModule,
        ApplicationsModule,
        OidcModule,
        ...(options.extraModules ?? []),
      ],
      providers: [DomainEvents, ...CONTEXT_BRIDGES],
      exports: [
        DomainEvents,
        DATA_OWNER_DIRECTORY,
        PROFILE_DIRECTORY,
        APPLICATION_DIRECTORY,
        DELEGATE_DIRECTORY,
        PASSWORD_RESET_MAILER,
        ACTIVATION_REDIRECTS,
        OPAQUE_ACCESS_TOKENS,
      ],
      global: true,
    };
  }
}
