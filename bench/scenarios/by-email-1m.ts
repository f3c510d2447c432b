import { Identity, tokenLogin } from '../lib/api';
import { generatedUser } from '../lib/database';
import { Request } from '../lib/load';
import { alternate, check, clean, measure, ratio, scenario, summary } from '../lib/measure';
import { Child } from '../lib/processes';
import type { Scenario } from '../lib/scenario';
import { BIG_USERS, SMALL_USERS } from '../lib/settings';

const byEmail = (child: Child, who: Identity, n: number) => async (): Promise<Request> => ({
  path: `/api/v1/users/by-email/${encodeURIComponent(generatedUser(n).email)}`,
  headers: { authorization: `Bearer ${(await tokenLogin(child, who)).accessToken}` },
});

/** The by-email lookup on BIG_USERS users (app-1m) against the same on 1,000. */
export const byEmail1m: Scenario = {
  id: 'by-email-1m',
  round: {
    for: ['by-email-1m'],
    measure: async ({ app, admin, big, bigAdmin }, r) => {
      if (!big || !bigAdmin) return;
      await alternate(r, [
        () => measure('by-email/1k', { url: app.url, server: app, request: byEmail(app, admin, SMALL_USERS / 2), connections: 8 }),
        () =>
          measure('by-email/1m', { url: big.url, server: big, request: byEmail(big, bigAdmin, Math.ceil(BIG_USERS / 2)), connections: 8 }),
      ]);
    },
  },
  evaluate() {
    const small = summary('by-email/1k');
    const bigOne = summary('by-email/1m');
    return scenario({
      id: 'by-email-1m',
      title: `GET /api/v1/users/by-email/:email with ${BIG_USERS.toLocaleString('en')} users vs ${SMALL_USERS.toLocaleString('en')}, 8 connections`,
      target: 'p50 ≤ 1.3 × the p50 with 1,000 users',
      app: bigOne,
      baseline: small,
      baselineName: `same app build on a database of ${SMALL_USERS} generated users`,
      checks: [check('p50 ratio', ratio(bigOne, small, 'p50Ms'), 1.3, '<=')],
      measured: !!(bigOne && small),
      cleanRuns: clean(bigOne, small),
    });
  },
};
