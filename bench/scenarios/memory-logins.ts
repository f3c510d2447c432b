import { ensureReader, Identity, identityOf, refreshSessions, refreshTokens, startApp } from '../lib/api';
import { load, median, Request } from '../lib/load';
import { check, mb, round, scenario } from '../lib/measure';
import { Child } from '../lib/processes';
import type { Alone, Extra, Scenario } from '../lib/scenario';
import { log, MEMORY_REQUESTS, READER, WARMUP_SECONDS } from '../lib/settings';

const REFRESH: Request = { method: 'POST', path: '/api/v1/auth/refresh' };
const tokenLoginOf = (reader: Identity): Request => ({
  method: 'POST',
  path: '/api/v1/auth/login',
  body: JSON.stringify({ login: reader.login, password: reader.token }),
});

/**
 * `amount` requests, half token logins and half refreshes. RSS is sampled every 250 ms during the batch; its figure
 * is the median of the batch's last 40 samples (its last 10 s, or all of a shorter batch): under load RSS is a GC
 * sawtooth, and one reading lands anywhere on it.
 */
async function loginsAndRefreshes(mem: Child, reader: Identity, amount: number) {
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(mem.rssBytes()), 250);
  const half = Math.max(32, Math.round(amount / 2));
  const a = await load({ url: mem.url, connections: 32, amount: half, request: tokenLoginOf(reader) });
  const perConnection = refreshSessions(await refreshTokens(mem, reader, 64));
  const b = await load({ url: mem.url, connections: 32, amount: half, request: REFRESH, perConnection });
  clearInterval(sampler);
  samples.push(mem.rssBytes());
  return {
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    non2xx: a.non2xx + b.non2xx,
    rss: median(samples.slice(-40)),
    peak: Math.max(...samples),
  };
}

/** Both routes, long enough for the JIT and the heap to settle (not counted). */
async function warmUp(mem: Child, reader: Identity): Promise<void> {
  const seconds = Math.max(5, WARMUP_SECONDS);
  await load({ url: mem.url, connections: 32, seconds, request: tokenLoginOf(reader) });
  await load({
    url: mem.url,
    connections: 32,
    seconds,
    request: REFRESH,
    perConnection: refreshSessions(await refreshTokens(mem, reader, 64)),
  });
}

async function measureMemoryAfterLogins({ mainUrl, children }: Alone): Promise<Extra> {
  log(`memory: ${MEMORY_REQUESTS} token-as-password logins and refreshes (half each) on a fresh app`);
  const mem = await startApp('app-memory-logins', mainUrl);
  children.push(mem);
  await ensureReader(mem);
  const reader = await identityOf(mem, READER.login, READER.password);
  await warmUp(mem, reader);
  // RSS after the first 1% (1,000 of 100,000), then along the way, so a plateau tells itself from a leak.
  const first = Math.max(1, Math.round(MEMORY_REQUESTS / 100));
  const checkpoints = [first, ...[0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * MEMORY_REQUESTS))];
  const trajectory: string[] = [];
  const totals = { done: 0, ok: 0, errors: 0, non2xx: 0, firstRss: NaN, lastRss: NaN, peak: 0 };
  for (const checkpoint of checkpoints) {
    if (checkpoint <= totals.done) continue;
    const batch = await loginsAndRefreshes(mem, reader, checkpoint - totals.done);
    totals.done = checkpoint;
    totals.ok += batch.ok;
    totals.errors += batch.errors;
    totals.non2xx += batch.non2xx;
    totals.peak = Math.max(totals.peak, batch.peak);
    totals.lastRss = batch.rss;
    if (Number.isNaN(totals.firstRss)) totals.firstRss = batch.rss;
    trajectory.push(`${totals.ok}: ${mb(batch.rss)}`);
    log(`  after ${totals.ok} requests: RSS ${mb(batch.rss)} MB (median of the last 10 s)`);
  }
  await mem.stop();
  const figures = {
    rssAfterFirstMb: mb(totals.firstRss),
    requestsTotal: totals.ok,
    rssAfterTotalMb: mb(totals.lastRss),
    ratio: round(totals.lastRss / totals.firstRss, 3),
    rssPeakMb: mb(totals.peak),
    'trajectory (requests: MB)': trajectory.join('; '),
    errors: totals.errors,
    non2xx: totals.non2xx,
  };
  log(`  ${JSON.stringify(figures)}`);
  return figures;
}

/** RSS after MEMORY_REQUESTS token logins and refreshes against RSS after the first 1%. */
export const memoryLogins: Scenario = {
  id: 'memory-logins',
  alone: measureMemoryAfterLogins,
  evaluate(figures) {
    return scenario({
      id: 'memory-logins',
      title: `RSS after ${MEMORY_REQUESTS.toLocaleString('en')} token-as-password logins and refreshes vs after ${Math.round(MEMORY_REQUESTS / 100).toLocaleString('en')}`,
      target: 'RSS ≤ 1.1 × RSS after 1,000',
      extra: figures,
      checks: figures ? [check('RSS ratio', figures.ratio as number, 1.1, '<=')] : [],
      measured: !!figures,
      cleanRuns: figures ? figures.errors === 0 && figures.non2xx === 0 : undefined,
    });
  },
};
