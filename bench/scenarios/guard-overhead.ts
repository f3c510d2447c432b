import { check, clean, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';

/** The guarded GET against the bench app's unguarded copy (bench/app); measured in get-user's rounds. */
export const guardOverhead: Scenario = {
  id: 'guard-overhead',
  evaluate() {
    const get = summary('get-user/app');
    const unguarded = summary('get-user/app-unguarded');
    return scenario({
      id: 'guard-overhead',
      title: 'GET /api/v1/users/:id guarded vs the same route unguarded (bench/app)',
      target: 'guarded ≥ 0.85 × unguarded requests/s',
      app: get,
      baseline: unguarded,
      baselineName: 'same app, /api/v1/bench-unguarded/users/:id (@Public)',
      checks: [check('requests/s ratio', ratio(get, unguarded), 0.85, '>=')],
      measured: !!(get && unguarded),
      cleanRuns: clean(get, unguarded),
    });
  },
};
