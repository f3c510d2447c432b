import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A hot statement that each pool connection parses and plans once, then
 * only binds and executes (PostgreSQL's plan cache; see BENCHMARKS.md). Name
 * its columns rather than `*`, so that a column added by a later migration
 * does not change the statement's result type under a running instance.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const preparedNames = new Set<string>();

/** Declares a prepared statement; names are unique in the process (a connection can hold only one text per name). */
export function preparedStatement(name: string, text: string): PreparedStatement {
  if (preparedNames.has(name)) throw new Error(`The prepared statement ${name} is declared twice`);
  preparedNames.add(name);
  return { name, text };
}

interface TransactionContext {
  manager: EntityManager;
  /** The transaction's connection, for prepared statements (TypeORM's manager has no named statements). */
  client?: PoolClient;
  afterCommit: (() => void)[];
  /** The error the transaction's connection reported, if it broke (e.g. the server shut down) while the work ran. */
  connectionError?: Error;
}

/**
 * Ambient transactions: a use case wraps its work in `run`, and every
 * repository that asks for `manager` inside it joins the same transaction,
 * without managers being passed around.
 */
@Injectable()
export class TransactionHost {
  private readonly storage = new AsyncLocalStorage<TransactionContext>();
  /** Transactions under way; at 0 the storage is disabled (see `run`). */
  private running = 0;

  constructor(
    /** @deprecated Run SQL through `query` or `queryOutsideTransaction`; kept until identity and invitations stop using it. */
    @InjectDataSource() readonly dataSource: DataSource,
  ) {}

  /**
   * One SQL statement: in the ambient transaction when there is one, else
   * straight on the pool. Results have EntityManager.query's shapes (rows, or
   * `[rows, rowCount]` for UPDATE and DELETE). Outside a transaction this goes
   * straight to the pool, skipping TypeORM's query runner (see BENCHMARKS.md).
   * A prepared statement runs as one everywhere: on the pool, or on the
   * transaction's connection.
   */
  query<T = any>(sql: string | PreparedStatement, parameters?: unknown[]): Promise<T> {
    const context = this.storage.getStore();
    if (!context) return this.queryOutsideTransaction<T>(sql, parameters);
    // Straight on the transaction's connection too: TypeORM's query runner adds a dozen promises a statement.
    if (context.client) return this.execute(context.client, sql, parameters);
    return context.manager.query(typeof sql === 'string' ? sql : sql.text, parameters);
  }

  /** One statement on the pool, never in the ambient transaction (for what must stand even if that transaction rolls back). */
  queryOutsideTransaction<T = any>(sql: string | PreparedStatement, parameters?: unknown[]): Promise<T> {
    return this.execute(this.pool, sql, parameters);
  }

  private async execute<T>(on: Pool | PoolClient, sql: string | PreparedStatement, parameters?: unknown[]): Promise<T> {
    const result = await (typeof sql === 'string'
      ? on.query(sql, parameters)
      : on.query({ name: sql.name, text: sql.text, values: parameters }));
    return (result.command === 'UPDATE' || result.command === 'DELETE' ? [result.rows, result.rowCount] : result.rows) as T;
  }

  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /** The pool's connections right now (the /metrics gauges). */
  poolUse(): { total: number; idle: number; waiting: number } {
    const pool = this.pool;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /** Runs `work` in a transaction; nested calls join the outer one. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.storage.getStore()) return work();
    this.running++;
    try {
      return await this.runOutermost(work);
    } finally {
      // With no transaction under way, nothing needs the storage: disabled, it no longer copies itself onto every
      // promise the process makes (Node 20's AsyncLocalStorage does, from a promise hook); `storage.run` enables it
      // again. A continuation of a finished transaction that still runs then sees no transaction, as it should.
      if (--this.running === 0) this.storage.disable();
    }
  }

  private async runOutermost<T>(work: () => Promise<T>): Promise<T> {
    const context: TransactionContext = { manager: undefined as unknown as EntityManager, afterCommit: [] };
    // When the connection breaks between two statements, TypeORM releases the query runner and the next statement (or
    // the COMMIT) fails with "already released", which says nothing of the cause. Keep the connection's own error, so
    // that the caller sees a database outage (503), not an unexpected error (500). The error may also come before the
    // listener below exists (in the same socket read as BEGIN's answer): a released runner then still means a lost
    // connection, since nothing else releases it while the work runs.
    let client: PoolClient | undefined;
    const onError = (error: Error) => (context.connectionError ??= error);
    let result: T;
    try {
      result = await this.dataSource.transaction((manager) => {
        context.manager = manager;
        client = (manager.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
        context.client = client;
        client?.on('error', onError);
        return this.storage.run(context, work);
      });
    } catch (error) {
      const released = error instanceof QueryRunnerProviderAlreadyReleasedError || error instanceof QueryRunnerAlreadyReleasedError;
      throw released ? (context.connectionError ?? connectionLost()) : error;
    } finally {
      client?.removeListener('error', onError);
    }
    for (const callback of context.afterCommit) callback();
    return result;
  }

  /** Runs `callback` once the current transaction has committed (at once outside a transaction). */
  afterCommit(callback: () => void): void {
    const context = this.storage.getStore();
    if (context) context.afterCommit.push(callback);
    else callback();
  }
}

/** A connection failure (SQLSTATE 08006) whose own error TypeORM kept to itself. */
function connectionLost(): Error {
  return Object.assign(new Error('Connection terminated: the transaction lost its connection'), { code: '08006' });
}
