import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_MAIN, ROOT } from './processes';
import { log } from './settings';

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the bench's app (`npm run bench:build`) when dist/bench is missing or older than any source. */
export function buildIfNeeded(): void {
  const sources = Math.max(
    newestSourceMtime(join(ROOT, 'apps')),
    newestSourceMtime(join(ROOT, 'libs')),
    newestSourceMtime(join(ROOT, 'bench', 'app')),
    ...['tsconfig.json', 'tsconfig.build.json', 'bench/app/tsconfig.json'].map((f) => statSync(join(ROOT, f)).mtimeMs),
  );
  if (existsSync(BUILT_MAIN) && statSync(BUILT_MAIN).mtimeMs >= sources) return;
  log("building the bench's app (dist/bench is missing or older than the sources)");
  const result = spawnSync('npm', ['run', 'bench:build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error('npm run bench:build failed');
}
