import { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { DatabaseSettings } from '../config/configuration';

/** What a bounded context contributes to the one data source: its entities and migrations. */
export interface Persistence {
  entities: MixedList<Function | string | EntitySchema>;
  migrations: Function[];
}

/** The one data source definition, shared by the app and the migration CLI. */
export function buildDataSourceOptions(
  settings: Pick<DatabaseSettings, 'url' | 'poolSize' | 'statementTimeoutMs'>,
  parts: Persistence[],
): DataSourceOptions {
  if (!settings.url) throw new Error('DATABASE_URL is not set and no embedded database was started');
  return {
    type: 'postgres',
    url: settings.url,
    applicationName: 'careid',
    entities: parts.flatMap((part) => part.entities as Function[]),
    migrations: parts.flatMap((part) => part.migrations),
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: settings.poolSize,
      // Every query, and the wait for a connection, is bounded: a slow or absent database gives 503, never a hung request.
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs + 1000,
      connectionTimeoutMillis: Math.min(settings.statementTimeoutMs, 3000),
      idle_in_transaction_session_timeout: settings.statementTimeoutMs * 2,
      idleTimeoutMillis: 30_000,
    },
  };
}
