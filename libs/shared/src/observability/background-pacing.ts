import { Injectable } from '@nestjs/common';
import { Metrics } from './metrics';

/** The API is busy from this many answered requests per second on: below, a client polling a job's progress. */
const BUSY_REQUESTS_PER_SECOND = 50;
/** The shortest span the rate is measured over: a few requests in a short step are no load. */
const MIN_RATE_WINDOW_MS = 200;
/** While the API is busy, background work rests this many times as long as its last step took. */
const REST_PER_WORK = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The steps of one background worker (see BackgroundPacing). */
export class Pacer {
  private started = performance.now();
  private answered: number;

  constructor(private readonly metrics: Metrics) {
    this.answered = metrics.answeredRequests;
  }

  /**
   * Ends a step: if the API answered requests at a busy rate during it, waits for `inFlight` (the step's work still
   * under way, at most as long as the step took: a hung send holds nothing up), then rests twice as long as all that.
   * The next step starts on return. Returns whether the API was busy: the worker then makes its next step small, so
   * that no request waits long behind it.
   */
  async endStep(inFlight?: () => Promise<unknown>): Promise<boolean> {
    const elapsed = performance.now() - this.started;
    const rate = ((this.metrics.answeredRequests - this.answered) * 1000) / Math.max(elapsed, MIN_RATE_WINDOW_MS);
    const apiBusy = rate >= BUSY_REQUESTS_PER_SECOND;
    if (apiBusy) {
      if (inFlight) await Promise.race([inFlight(), sleep(elapsed)]);
      const stepMs = performance.now() - this.started;
      await sleep(stepMs * REST_PER_WORK);
    }
    this.started = performance.now();
    this.answered = this.metrics.answeredRequests;
    return apiBusy;
  }
}

/**
 * Background work (bulk invitation jobs, the outbox) gives way to API
 * traffic: a worker ends a step (a batch, a claim) with its Pacer, which
 * rests while the API is busy, so that the work takes at most about a third
 * of the process's time while clients wait. On a quiet API it goes full speed.
 */
@Injectable()
export class BackgroundPacing {
  constructor(private readonly metrics: Metrics) {}

  pacer(): Pacer {
    return new Pacer(this.metrics);
  }
}
