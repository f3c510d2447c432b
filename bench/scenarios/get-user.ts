import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';

/** The authenticated GET against the bare server; its windows also serve guard-overhead, refresh and token-login. */
export const getUser: Scenario = {
  id: 'get-user',
  round: {
    for: ['get-user', 'guard-overhead', 'refresh', 'token-login'],
    measure: ({ app, bare, reader, getUser: request }, r) =>
      alternate(r, [
        () => measure('get-user/app', { url: app.url, server: app, request, connections: 32 }),
        async () => {
          const { headers } = await request();
          return measure('get-user/bare', {
            url: bare.url,
            server: bare,
            request: { path: `/users/${reader.id}`, headers },
            connections: 32,
          });
        },
        () =>
          measure('get-user/app-unguarded', {
            url: app.url,
            server: app,
            request: { path: `/api/v1/bench-unguarded/users/${reader.id}` },
            connections: 32,
          }),
      ]),
  },
  evaluate() {
    const get = summary('get-user/app');
    const bare = summary('get-user/bare');
    return scenario({
      id: 'get-user',
      title: 'GET /api/v1/users/:id with a JWT, 32 connections',
      target: "≥ 0.6 × the bare server's requests/s; p99 ≤ 2 × its p99",
      app: get,
      baseline: bare,
      baselineName: 'bare node:http: same JWT check + same SQL via pg',
      checks: [check('requests/s ratio', ratio(get, bare), 0.6, '>='), check('p99 ratio', ratio(get, bare, 'p99Ms'), 2, '<=')],
      measured: !!(get && bare),
      cleanRuns: clean(get, bare),
    });
  },
};
