import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/config.module';
import { DataOwnerIds } from '../data-owners/data-owner-ids';
import { buildDataSourceOptions, Persistence } from './data-source-options';
import { runMigrations } from './migration-runner';
import { PgListener } from './pg-listener';
import { TransactionHost } from './transaction-host';

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(parts: Persistence[]): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: AppConfigService) => ({
            ...buildDataSourceOptions(config.get('database', { infer: true }), parts),
            retryAttempts: 3,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            const applied = await runMigrations(dataSource);
            if (applied.length) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        }),
      ],
      providers: [TransactionHost, PgListener, DataOwnerIds],
      exports: [TransactionHost, PgListener, DataOwnerIds],
    };
  }
}
