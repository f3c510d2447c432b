import { startApp } from '../lib/api';
import { median } from '../lib/load';
import { check, round, scenario } from '../lib/measure';
import type { Alone, Scenario } from '../lib/scenario';
import { log, STARTS } from '../lib/settings';

async function measureStartUp({ mainUrl, migrated }: Alone) {
  log(`start-up: ${STARTS} starts on the existing database, process start to /health/ready`);
  const runs: number[] = [];
  // On a database this run has not migrated yet, a first, unmeasured start migrates it.
  if (!migrated) await (await startApp('app-startup', mainUrl)).stop();
  for (let i = 0; i < STARTS; i++) {
    const child = await startApp(`app-startup`, mainUrl);
    runs.push(round(child.readyAfterMs, 0));
    await child.stop();
  }
  const startup = { medianMs: median(runs), runsMs: runs };
  log(`  ${JSON.stringify(startup)}`);
  return { medianMs: startup.medianMs, runsMs: runs.join(', ') };
}

/** Process start to /health/ready on a migrated database. */
export const startup: Scenario = {
  id: 'startup',
  alone: measureStartUp,
  evaluate(figures) {
    return scenario({
      id: 'startup',
      title: 'Start-up: process start to /health/ready on an existing database',
      target: '< 3 s',
      extra: figures,
      checks: figures ? [check('median ms', figures.medianMs as number, 3000, '<')] : [],
      measured: !!figures,
    });
  },
};
