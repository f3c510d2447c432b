import { EventEmitter } from 'node:events';
import { DataSource, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { translateDatabaseError } from '../errors/database-errors';
import { TransactionHost } from './transaction-host';

/**
 * A data source whose one transaction's connection broke: pg refuses the work's statements, and TypeORM, which
 * released the query runner when the connection failed, refuses to finish the transaction.
 */
function dataSourceWithLostConnection(options: { errorSeenByListeners: boolean }): DataSource {
  const client = Object.assign(new EventEmitter(), {
    query: async () => {
      throw new Error('Client was closed and is not queryable');
    },
  });
  const manager = { queryRunner: { databaseConnection: client } };
  return {
    transaction: async (work: (m: unknown) => Promise<unknown>) => {
      const running = work(manager);
      if (options.errorSeenByListeners) client.emit('error', new Error('Connection terminated unexpectedly'));
      await running;
      throw new QueryRunnerProviderAlreadyReleasedError(); // the COMMIT
    },
  } as unknown as DataSource;
}

describe('TransactionHost', () => {
  it.each([
    ['reported to its listener', true],
    ['reported before its listener existed (in the same read as BEGIN)', false],
  ])('turns a connection lost mid-transaction and %s into a database outage, not an unexpected error', async (_, seen) => {
    for (const workCatches of [false, true]) {
      const host = new TransactionHost(dataSourceWithLostConnection({ errorSeenByListeners: seen }));
      // A use case that catches its statement's error still meets the lost connection at COMMIT.
      const work = workCatches ? () => host.query('SELECT 1').catch(() => undefined) : () => host.query('SELECT 1');
      const failure = await host.run(work).catch((error: unknown) => error);
      expect(failure).not.toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
      expect(translateDatabaseError(failure)?.code).toBe('DATABASE_UNAVAILABLE');
    }
  });

  it('leaves other errors as they are', async () => {
    const host = new TransactionHost({ transaction: async () => Promise.reject(new TypeError('a bug')) } as unknown as DataSource);
    const failure = await host.run(async () => 1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(translateDatabaseError(failure)).toBeUndefined();
  });
});
