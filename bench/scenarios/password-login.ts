import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import { COST, READER } from '../lib/settings';

/** Password logins against a server running bcrypt.compare only; refresh and token-login are measured against them too. */
export const passwordLogin: Scenario = {
  id: 'password-login',
  round: {
    for: ['password-login', 'refresh', 'token-login'],
    measure: ({ app, bcryptServer, reader }, r) =>
      alternate(r, [
        () =>
          measure('password-login/app', {
            url: app.url,
            server: app,
            request: {
              method: 'POST',
              path: '/api/v1/auth/login',
              body: JSON.stringify({ login: reader.login, password: READER.password }),
            },
            connections: 8,
            lengthFactor: 2,
          }),
        () =>
          measure('password-login/bcrypt', {
            url: bcryptServer.url,
            server: bcryptServer,
            request: { method: 'POST', path: '/compare', body: JSON.stringify({ password: READER.password }) },
            connections: 8,
            lengthFactor: 2,
          }),
      ]),
  },
  evaluate() {
    const password = summary('password-login/app');
    const compare = summary('password-login/bcrypt');
    return scenario({
      id: 'password-login',
      title: `POST /api/v1/auth/login with a password (bcrypt cost ${COST}), 8 connections`,
      target: "≥ 0.9 × the bcrypt-only server's logins/s",
      app: password,
      baseline: compare,
      baselineName: 'bare node:http running bcrypt.compare only',
      checks: [check('requests/s ratio', ratio(password, compare), 0.9, '>=')],
      measured: !!(password && compare),
      cleanRuns: clean(password, compare),
    });
  },
};
