import { tokenLogin, uniqueUsers } from '../lib/api';
import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import { NEW_USER_PASSWORD } from '../lib/settings';

/** User creation (hashing included) against a server running bcrypt.hash only. */
export const createUser: Scenario = {
  id: 'create-user',
  round: {
    for: ['create-user'],
    measure: ({ app, bcryptServer, admin }, r) =>
      alternate(r, [
        () =>
          measure('create-user/app', {
            url: app.url,
            server: app,
            request: async () => ({
              method: 'POST',
              path: '/api/v1/users',
              headers: { authorization: `Bearer ${(await tokenLogin(app, admin)).accessToken}` },
            }),
            connections: 8,
            lengthFactor: 2,
            perConnection: async () => uniqueUsers(),
          }),
        () =>
          measure('create-user/bcrypt-hash', {
            url: bcryptServer.url,
            server: bcryptServer,
            request: { method: 'POST', path: '/hash', body: JSON.stringify({ password: NEW_USER_PASSWORD }) },
            connections: 8,
            lengthFactor: 2,
          }),
      ]),
  },
  evaluate() {
    const create = summary('create-user/app');
    const hash = summary('create-user/bcrypt-hash');
    return scenario({
      id: 'create-user',
      title: 'POST /api/v1/users (hashing included), 8 connections',
      target: "≥ 0.85 × the bcrypt-only server's hash rate",
      app: create,
      baseline: hash,
      baselineName: 'bare node:http running bcrypt.hash only',
      checks: [check('requests/s ratio', ratio(create, hash), 0.85, '>=')],
      measured: !!(create && hash),
      cleanRuns: clean(create, hash),
    });
  },
};
