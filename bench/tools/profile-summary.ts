/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench`):
 * self time by function and by package, and inclusive time of a few frames.
 * Usage: node -r ts-node/register/transpile-only bench/tools/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const [file, topArg] = process.argv.slice(2);
const profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] } = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg ?? 30);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

function packageOf(url: string): string {
  if (!url) return '(native/V8)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const app = /dist\/apps\/api\/(.*)$/.exec(url);
  return app ? `careid:${app[1].split('/').slice(0, 3).join('/')}` : url;
}

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + ms);
  packages.set(packageOf(url), (packages.get(packageOf(url)) ?? 0) + ms);
}
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${key}\n`);
  }
};
process.stdout.write(`total sampled ${total.toFixed(0)} ms\n`);
print('self time by package', packages);
print('self time by function', functions);

// Inclusive time of frames whose package matches argv[4..] (e.g. @nestjs, pino)
const inclusive = new Map<number, number>();
const walk = (id: number): number => {
  const node = byId.get(id)!;
  let sum = selfMs.get(id) ?? 0;
  for (const child of node.children ?? []) sum += walk(child);
  inclusive.set(id, sum);
  return sum;
};
walk(profile.nodes[0].id);
const watched = process.argv.slice(4);
if (watched.length) {
  process.stdout.write('\ninclusive time of the outermost frames of\n');
  const seen = new Map<string, number>();
  const visit = (id: number, inside: boolean) => {
    const node = byId.get(id)!;
    const pkg = packageOf(node.callFrame.url);
    const hit = !inside && watched.some((w) => pkg.includes(w) || node.callFrame.functionName === w);
    if (hit) {
      const key = `${pkg} ${node.callFrame.functionName || '(anonymous)'}`;
      seen.set(key, (seen.get(key) ?? 0) + inclusive.get(id)!);
    }
    for (const child of node.children ?? []) visit(child, inside || hit);
  };
  visit(profile.nodes[0].id, false);
  for (const [key, ms] of [...seen].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${key}\n`);
  }
}
