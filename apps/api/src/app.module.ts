import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { IdentityModule } from '@careid/identity';
import { AppConfigModule, Configuration, DatabaseModule, DomainEvents } from '@careid/shared';
import { UnguardedUsersBenchModule } from './bench-support/unguarded-users.module';
import { HealthModule } from './health/health.module';
import { loggerParams } from './logging';
import { PERSISTENCE } from './persistence';

export interface AppModuleOptions {
  /** Test-only modules (e.g. a controller that throws) mounted beside the real ones. */
  extraModules?: Type[];
  /** Where logs go instead of stdout (tests capture them). */
  logStream?: DestinationStream;
}

/** The composition root: wires the bounded contexts together, holds no logic. */
@Module({})
export class AppModule {
  static forRoot(configuration: Configuration, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(configuration),
        LoggerModule.forRoot(loggerParams(configuration.app.logLevel, options.logStream)),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: false }),
        DatabaseModule.forRoot(PERSISTENCE),
        HealthModule,
        IdentityModule,
        ...(configuration.app.benchUnguardedRoutes ? [UnguardedUsersBenchModule] : []),
        ...(options.extraModules ?? []),
      ],
      providers: [DomainEvents],
      exports: [DomainEvents],
      global: true,
    };
  }
}
