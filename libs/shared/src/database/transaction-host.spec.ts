import { EventEmitter } from 'node:events';
import { DataSource, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { translateDatabaseError } from '../errors/database-errors';
import { TransactionHost } from './transaction-host';

/** A data source whose one transaction's connection broke before the work's first statement. */
function dataSourceWithLostConnection(options: { errorSeenByListeners: boolean }): DataSource {
  const client = new EventEmitter();
  const manager = {
    queryRunner: { databaseConnection: client },
    query: async () => {
      throw new QueryRunnerProviderAlreadyReleasedError();
    },
  };
  return {
    transaction: async (work: (m: unknown) => Promise<unknown>) => {
      const running = work(manager);
      if (options.errorSeenByListeners) client.emit('error', Object.assign(new Error('Connection terminated unexpectedly'), {}));
      return running;
    },
  } as unknown as DataSource;
}

describe('TransactionHost', () => {
  it.each([
    ['reported to its listener', true],
    ['reported before its listener existed (in the same read as BEGIN)', false],
  ])('turns a connection lost mid-transaction and %s into a database outage, not an unexpected error', async (_, seen) => {
    const host = new TransactionHost(dataSourceWithLostConnection({ errorSeenByListeners: seen }));
    const failure = await host.run(() => host.query('SELECT 1')).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
    expect(translateDatabaseError(failure)?.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('leaves other errors as they are', async () => {
    const host = new TransactionHost({ transaction: async () => Promise.reject(new TypeError('a bug')) } as unknown as DataSource);
    const failure = await host.run(async () => 1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(translateDatabaseError(failure)).toBeUndefined();
  });
});
