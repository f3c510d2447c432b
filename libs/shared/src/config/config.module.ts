import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Configuration } from './configuration';

export type AppConfigService = ConfigService<Configuration, true>;

/** Makes the already-validated configuration injectable everywhere as `ConfigService`. */
@Module({})
export class AppConfigModule {
  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [() => configuration],
        }),
      ],
    };
  }
}
