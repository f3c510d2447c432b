import { check, clean, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';

/** Logins with a token from POST /users/:id/tokens; measured in refresh's rounds. */
export const tokenLogin: Scenario = {
  id: 'token-login',
  evaluate() {
    const logins = summary('token-login/app');
    const password = summary('password-login/app');
    const get = summary('get-user/app');
    return scenario({
      id: 'token-login',
      title: 'POST /api/v1/auth/login with a token from POST /users/:id/tokens, 32 connections',
      target: '≥ 50 × password logins/s, ≥ 0.3 × the authenticated GET',
      app: logins,
      baseline: password,
      baselineName: 'password logins (app), and the authenticated GET (app)',
      checks: [
        check('÷ password logins/s', ratio(logins, password), 50, '>='),
        check('÷ authenticated GET/s', ratio(logins, get), 0.3, '>='),
      ],
      measured: !!(logins && password && get),
      cleanRuns: clean(logins),
    });
  },
};
