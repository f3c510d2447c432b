import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS, ROOT } from './processes';

export interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest?: number;
  errors: number;
  non2xx: number;
  windows: number;
  perWindow?: unknown[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  target: string;
  status: 'pass' | 'fail' | 'not measured';
  app?: Figures;
  baseline?: Figures;
  baselineName?: string;
  checks: { name: string; value: number; limit: number; pass: boolean }[];
  extra?: Record<string, number | string>;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  /** A run with the default settings and every scenario: only such a run updates latest.json and BENCHMARKS.md. */
  full: boolean;
  settings: Record<string, unknown>;
  machine: Record<string, unknown>;
  scenarios: ScenarioResult[];
  notes: string[];
}

const TABLE_START = '<!-- bench:table:start -->';
const TABLE_END = '<!-- bench:table:end -->';

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function figures(f?: Figures): string {
  if (!f) return '–';
  const problems = f.errors || f.non2xx ? `, **${f.errors} errors, ${f.non2xx} non-2xx**` : '';
  const cpu = f.cpuMsPerRequest !== undefined ? `, CPU ${fmt(f.cpuMsPerRequest, 3)} ms/req` : '';
  return `${fmt(f.requestsPerSecond)} req/s, p50 ${fmt(f.p50Ms, 2)} ms, p99 ${fmt(f.p99Ms, 2)} ms${cpu}${problems}`;
}

function extra(e?: Record<string, number | string>): string {
  if (!e) return '–';
  return Object.entries(e)
    .filter(([key]) => !['errors', 'non2xx'].includes(key) || e[key] !== 0)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

export function markdownTable(report: Report): string {
  const m = report.machine;
  const lines = [
    `Run of ${report.finishedAt.slice(0, 19).replace('T', ' ')} UTC at ${m.commit}: ${m.cores} cores (${m.cpu}), Node ${m.node}, PostgreSQL ${m.postgres}, bcrypt cost ${report.settings.bcryptCost}; ${report.settings.rounds} rounds of ${report.settings.seconds} s per side after ${report.settings.warmUpSeconds} s warm-up, medians.`,
    '',
    '| scenario | app | baseline | measured | target | result |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of report.scenarios) {
    const measured = s.checks.map((c) => `${c.name} ${fmt(c.value, 2)}`).join('; ') || '–';
    const app = s.app ? figures(s.app) : extra(s.extra);
    const baseline = s.baseline ? `${figures(s.baseline)} (${s.baselineName})` : '–';
    const result = s.status === 'pass' ? 'pass' : s.status === 'fail' ? '**FAIL**' : s.status;
    lines.push(`| ${s.title} | ${app} | ${baseline} | ${measured} | ${s.target} | ${result} |`);
  }
  return lines.join('\n');
}

/** Writes the JSON (latest.json for full runs, latest-partial.json otherwise), updates BENCHMARKS.md on full runs, returns the table. */
export function writeReport(report: Report): string {
  const file = join(RESULTS, report.full ? 'latest.json' : 'latest-partial.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const table = markdownTable(report);
  const doc = join(ROOT, 'BENCHMARKS.md');
  if (report.full && existsSync(doc)) {
    const text = readFileSync(doc, 'utf8');
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    if (start >= 0 && end > start) {
      writeFileSync(doc, `${text.slice(0, start + TABLE_START.length)}\n${table}\n${text.slice(end)}`);
    }
  }
  process.stderr.write(
    `[bench] results written to ${file}${report.full ? ' and BENCHMARKS.md' : ' (partial run: BENCHMARKS.md unchanged)'}\n`,
  );
  return table;
}
