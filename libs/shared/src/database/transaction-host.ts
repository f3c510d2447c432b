import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

interface TransactionContext {
  manager: EntityManager;
  afterCommit: (() => void)[];
}

/**
 * Ambient transactions: a use case wraps its work in `run`, and every
 * repository that asks for `manager` inside it joins the same transaction,
 * without managers being passed around.
 */
@Injectable()
export class TransactionHost {
  private readonly storage = new AsyncLocalStorage<TransactionContext>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  /** The current transaction's manager, or the pool's when there is none. */
  get manager(): EntityManager {
    return this.storage.getStore()?.manager ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /** Runs `work` in a transaction; nested calls join the outer one. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.storage.getStore()) return work();
    const context: TransactionContext = { manager: undefined as unknown as EntityManager, afterCommit: [] };
    const result = await this.dataSource.transaction((manager) => {
      context.manager = manager;
      return this.storage.run(context, work);
    });
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
