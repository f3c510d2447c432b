import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The reliability suite's own counters: each test records what it tried and
 * what came out (inputs, races, faults, lost records). `npm run
 * test:reliability` turns them into RELIABILITY.md.
 */
const DIR = process.env.CAREID_FIGURES_DIR ?? join(__dirname, '../../test-results/reliability');

export const figures = {
  record(
    section: 'inputs' | 'races' | 'faults' | 'instances' | 'access',
    name: string,
    data: Record<string, number | string | boolean>,
  ): void {
    mkdirSync(DIR, { recursive: true });
    appendFileSync(join(DIR, `figures-${process.pid}.jsonl`), `${JSON.stringify({ section, name, ...data, at: Date.now() })}\n`);
  },
};

/** Records a race: how many tried, won, were refused, failed; `lost` counts lost or corrupted records (must be 0). */
export function recordRace(name: string, statuses: number[], extra: { lost: number } & Record<string, number>): void {
  figures.record('races', name, {
    attempts: statuses.length,
    succeeded: statuses.filter((s) => s >= 200 && s < 300).length,
    refused: statuses.filter((s) => s >= 400 && s < 500).length,
    serverErrors: statuses.filter((s) => s >= 500).length,
    ...extra,
  });
}
