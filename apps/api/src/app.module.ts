import { DynamicModule, Module, Type } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { DATA_OWNER_DIRECTORY, DataOwnerDirectory, IdentityModule } from '@careid/identity';
import { PatientsModule, PatientsService } from '@careid/patients';
import { PractitionersModule, PractitionersService } from '@careid/practitioners';
import { AppConfigModule, Configuration, DatabaseModule, DomainEvents } from '@careid/shared';
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
        PractitionersModule,
        PatientsModule,
        ...(options.extraModules ?? []),
      ],
      providers: [
        DomainEvents,
        // Identity validates users' healthcarePartyId/patientId against the contexts that own them, without depending on them.
        {
          provide: DATA_OWNER_DIRECTORY,
          inject: [PractitionersService, PatientsService],
          useFactory: (practitioners: PractitionersService, patients: PatientsService): DataOwnerDirectory => ({
            practitionerExists: (id) => practitioners.practitionerExists(id),
            patientExists: (id) => patients.patientExists(id),
          }),
        },
      ],
      exports: [DomainEvents, DATA_OWNER_DIRECTORY],
      global: true,
    };
  }
}
