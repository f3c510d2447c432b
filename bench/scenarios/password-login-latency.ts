import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import { READER } from '../lib/settings';

/** One password login in flight against one bcrypt.compare. */
export const passwordLoginLatency: Scenario = {
  id: 'password-login-latency',
  round: {
    for: ['password-login-latency'],
    measure: ({ app, bcryptServer, reader }, r) =>
      alternate(r, [
        () =>
          measure('password-login-1/app', {
            url: app.url,
            server: app,
            request: {
              method: 'POST',
              path: '/api/v1/auth/login',
              body: JSON.stringify({ login: reader.login, password: READER.password }),
            },
            connections: 1,
          }),
        () =>
          measure('password-login-1/bcrypt', {
            url: bcryptServer.url,
            server: bcryptServer,
            request: { method: 'POST', path: '/compare', body: JSON.stringify({ password: READER.password }) },
            connections: 1,
          }),
      ]),
  },
  evaluate() {
    const password1 = summary('password-login-1/app');
    const bcrypt1 = summary('password-login-1/bcrypt');
    return scenario({
      id: 'password-login-latency',
      title: 'POST /api/v1/auth/login with a password, one request in flight',
      target: 'p50 ≤ 1.3 × one hash (the bcrypt-only server, one in flight)',
      app: password1,
      baseline: bcrypt1,
      baselineName: 'bare node:http running bcrypt.compare only, 1 connection',
      checks: [check('p50 ratio', ratio(password1, bcrypt1, 'p50Ms'), 1.3, '<=')],
      measured: !!(password1 && bcrypt1),
      cleanRuns: clean(password1, bcrypt1),
    });
  },
};
