import { ensureReader, identityOf, startApp, tokenLogin } from '../lib/api';
import { load, median, Request } from '../lib/load';
import { check, mb, round, scenario } from '../lib/measure';
import type { Alone, Extra, Scenario } from '../lib/scenario';
import { log, MEMORY_SECONDS, READER, WARMUP_SECONDS } from '../lib/settings';

async function measureMemoryUnderLoad({ mainUrl, children }: Alone): Promise<Extra> {
  log(`memory: ${MEMORY_SECONDS} s of authenticated GETs (32 connections) on a fresh app`);
  const mem = await startApp('app-memory-load', mainUrl);
  children.push(mem);
  await ensureReader(mem);
  const reader = await identityOf(mem, READER.login, READER.password);
  const request: Request = {
    path: `/api/v1/users/${reader.id}`,
    headers: { authorization: `Bearer ${(await tokenLogin(mem, reader)).accessToken}` },
  };
  await load({ url: mem.url, connections: 32, seconds: Math.max(WARMUP_SECONDS, 5), request });
  // RSS under load is a GC sawtooth: compare the median of the first third of the window (after the warm-up) with that of the last third.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(mem.rssBytes()), 500);
  const window = await load({ url: mem.url, connections: 32, seconds: MEMORY_SECONDS, request });
  clearInterval(sampler);
  await mem.stop();
  const span = Math.max(1, Math.floor(samples.length / 3));
  const start = median(samples.slice(0, span));
  const end = median(samples.slice(-span));
  const figures = {
    rssFirstThirdMedianMb: mb(start),
    rssLastThirdMedianMb: mb(end),
    rssMinMb: mb(Math.min(...samples)),
    rssPeakMb: mb(Math.max(...samples)),
    growthPercent: round(((end - start) / start) * 100, 1),
    requestsPerSecond: round(window.requestsPerSecond, 1),
    errors: window.errors,
    non2xx: window.non2xx,
  };
  log(`  ${JSON.stringify(figures)}`);
  return figures;
}

/** RSS over a long load of the authenticated GET on a fresh app. */
export const memoryLoad: Scenario = {
  id: 'memory-load',
  alone: measureMemoryUnderLoad,
  evaluate(figures) {
    const f = figures as Record<string, number> | undefined;
    return scenario({
      id: 'memory-load',
      title: `RSS over a ${MEMORY_SECONDS} s load of the authenticated GET, 32 connections`,
      target: 'RSS growth after warm-up < 10%, RSS < 300 MB',
      extra: f,
      checks: f ? [check('growth %', f.growthPercent, 10, '<'), check('peak RSS MB', f.rssPeakMb, 300, '<')] : [],
      measured: !!f,
      cleanRuns: f ? f.errors === 0 && f.non2xx === 0 : undefined,
    });
  },
};
