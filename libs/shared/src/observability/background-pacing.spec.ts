import { Pacer } from './background-pacing';
import type { Metrics } from './metrics';

describe('Pacer', () => {
  let answered: number;
  const metrics = {
    get answeredRequests() {
      return answered;
    },
  } as unknown as Metrics;

  beforeEach(() => {
    jest.useFakeTimers();
    answered = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('goes on at once while the API is quiet (a client polling a job is quiet)', async () => {
    const pacer = new Pacer(metrics);
    jest.advanceTimersByTime(100);
    answered += 2; // 20 requests/s
    // A rest would wait on a fake timer nobody advances: the await would never end.
    expect(await pacer.endStep()).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rests twice as long as the step took while the API is busy, after the work in flight', async () => {
    const pacer = new Pacer(metrics);
    jest.advanceTimersByTime(100);
    answered += 50; // 500 requests/s
    const order: string[] = [];
    const inFlight = () => new Promise<void>((resolve) => setTimeout(() => (order.push('in flight done'), resolve()), 50));
    const started = performance.now();
    const ending = pacer.endStep(inFlight).then((busy) => {
      order.push('rested');
      return busy;
    });
    await jest.advanceTimersByTimeAsync(50 + 2 * 150 - 1);
    expect(order).toEqual(['in flight done']);
    await jest.advanceTimersByTimeAsync(1);
    expect(await ending).toBe(true);
    expect(order).toEqual(['in flight done', 'rested']);
    expect(performance.now() - started).toBe(350);
  });

  it('measures each step from the end of the one before', async () => {
    const pacer = new Pacer(metrics);
    jest.advanceTimersByTime(100);
    answered += 50;
    const first = pacer.endStep();
    await jest.advanceTimersByTimeAsync(200);
    expect(await first).toBe(true);
    // The next step: 1000 ms with 10 requests is quiet, though the API had been busy before it.
    jest.advanceTimersByTime(1000);
    answered += 10;
    expect(await pacer.endStep()).toBe(false);
  });

  it('waits for work in flight no longer than the step took: a hung send holds nothing up', async () => {
    const pacer = new Pacer(metrics);
    jest.advanceTimersByTime(100);
    answered += 50;
    let ended = false;
    const ending = pacer.endStep(() => new Promise(() => undefined)).then((busy) => ((ended = true), busy));
    // 100 ms waiting for the hung send, then twice the 200 ms of step and wait.
    await jest.advanceTimersByTimeAsync(100 + 2 * 200 - 1);
    expect(ended).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await ending).toBe(true);
  });
});
