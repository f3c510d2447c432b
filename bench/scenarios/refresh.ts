import { refreshSessions, refreshTokens } from '../lib/api';
import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';

/** Rotating refreshes, one session per connection; its rounds also measure token logins. */
export const refresh: Scenario = {
  id: 'refresh',
  round: {
    for: ['refresh', 'token-login'],
    measure: ({ app, reader }, r) =>
      alternate(r, [
        () =>
          measure('refresh/app', {
            url: app.url,
            server: app,
            request: { method: 'POST', path: '/api/v1/auth/refresh' },
            connections: 32,
            perConnection: async () => refreshSessions(await refreshTokens(app, reader, 64)),
          }),
        () =>
          measure('token-login/app', {
            url: app.url,
            server: app,
            request: { method: 'POST', path: '/api/v1/auth/login', body: JSON.stringify({ login: reader.login, password: reader.token }) },
            connections: 32,
          }),
      ]),
  },
  evaluate() {
    const refreshes = summary('refresh/app');
    const password = summary('password-login/app');
    const get = summary('get-user/app');
    return scenario({
      id: 'refresh',
      title: 'POST /api/v1/auth/refresh (rotating, one session per connection), 32 connections',
      target: '≥ 50 × password logins/s, ≥ 0.3 × the authenticated GET',
      app: refreshes,
      baseline: password,
      baselineName: 'password logins (app), and the authenticated GET (app)',
      checks: [
        check('÷ password logins/s', ratio(refreshes, password), 50, '>='),
        check('÷ authenticated GET/s', ratio(refreshes, get), 0.3, '>='),
      ],
      measured: !!(refreshes && password && get),
      cleanRuns: clean(refreshes),
    });
  },
};
