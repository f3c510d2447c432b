import { Global, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TransactionHost } from '../database/transaction-host';
import { BackgroundPacing } from './background-pacing';
import { Metrics } from './metrics';

/** The database pool's gauges, read from the pool at each scrape. */
@Injectable()
class PoolMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: Metrics,
    private readonly tx: TransactionHost,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.reportPool(() => this.tx.poolUse());
  }
}

/** The app's one Metrics, for every context to report to, and the pacing of background work it informs. */
@Global()
@Module({ providers: [Metrics, PoolMetrics, BackgroundPacing], exports: [Metrics, BackgroundPacing] })
export class ObservabilityModule {}
