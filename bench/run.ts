/**
 * `npm run bench`: the performance suite (issue 8). Builds the bench's app if
 * needed, runs it in child processes in production mode on PostgreSQL,
 * drives it with autocannon, and in the same run drives bare baseline
 * servers doing the same work with nothing else, alternating app and
 * baseline round by round; every target is a ratio of medians from this run.
 * Each scenario is a file of bench/scenarios/; BENCHMARKS.md says what each does.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { buildIfNeeded } from './lib/build';
import { BenchServer, openBenchServer, recreateDatabase, serverVersion } from './lib/database';
import { round } from './lib/measure';
import { Child, killStarting, ROOT } from './lib/processes';
import { Report, ScenarioResult, writeReport } from './lib/report';
import type { Extra } from './lib/scenario';
import * as settings from './lib/settings';
import { ROUND_ORDER, SCENARIOS, THROUGHPUT_IDS } from './scenarios';
import { setUpThroughput } from './scenarios/setup';

const { CPU_PROFILE_DIR, log, ROUNDS, wanted } = settings;

/** The throughput scenarios: set-up, then ROUNDS rounds of every wanted group's windows. */
async function runThroughput(server: BenchServer, children: Child[], notes: string[]): Promise<void> {
  const throughput = await setUpThroughput(server, children, notes);
  for (let r = 0; r < ROUNDS; r++) {
    log(`round ${r + 1}/${ROUNDS}`);
    for (const { round: group } of ROUND_ORDER) {
      if (group && group.for.some(wanted)) await group.measure(throughput, r);
    }
  }
  await Promise.all([throughput.app.stop(), throughput.big?.stop()]);
  if (CPU_PROFILE_DIR) log(`CPU profile of the app written to ${CPU_PROFILE_DIR}`);
}

/** Runs every wanted scenario; returns their figures by scenario id (those that run alone) and the database's version. */
async function runScenarios(server: BenchServer, children: Child[], notes: string[]) {
  const mainUrl = server.urlFor(server.mainName);
  await recreateDatabase(server, server.mainName);
  const postgresVersion = await serverVersion(mainUrl);
  log(`PostgreSQL ${postgresVersion}; main database ${server.mainName} (fresh), ${server.mainName}_1m (kept between runs)`);
  const throughput = THROUGHPUT_IDS.some(wanted);
  if (throughput) await runThroughput(server, children, notes);
  const alone = new Map<string, Extra | undefined>();
  for (const scenario of SCENARIOS) {
    if (!scenario.alone || !wanted(scenario.id)) continue;
    const migrated = throughput || alone.size > 0;
    alone.set(scenario.id, await scenario.alone({ mainUrl, children, migrated }));
  }
  return { alone, postgresVersion };
}

function machine(postgresVersion: string): Record<string, unknown> {
  return {
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 2 ** 30, 1),
    loadAverageAtEnd: loadavg().map((v) => round(v)),
    node: process.version,
    postgres: postgresVersion,
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).stdout.toString().trim(),
  };
}

function report(startedAt: Date, scenarios: ScenarioResult[], notes: string[], postgresVersion: string): Report {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    full: settings.FULL,
    settings: {
      seconds: settings.SECONDS,
      warmUpSeconds: settings.WARMUP_SECONDS,
      rounds: ROUNDS,
      memorySeconds: settings.MEMORY_SECONDS,
      memoryRequests: settings.MEMORY_REQUESTS,
      bigUsers: settings.BIG_USERS,
      bcryptCost: Number(settings.COST),
      only: settings.ONLY ? [...settings.ONLY] : null,
    },
    machine: machine(postgresVersion),
    scenarios,
    notes,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  buildIfNeeded();
  const server = await openBenchServer(process.env.DATABASE_URL, log);
  const children: Child[] = [];
  const stopAll = async () => {
    await Promise.all(children.map((child) => child.stop()));
    await server.stop();
  };
  process.on('SIGINT', () => {
    killStarting();
    void stopAll().finally(() => process.exit(130));
  });
  const notes: string[] = [];
  let outcome: Awaited<ReturnType<typeof runScenarios>>;
  try {
    outcome = await runScenarios(server, children, notes);
  } finally {
    await stopAll();
  }
  // Scenarios left out (BENCH_ONLY) evaluate as not measured.
  const results = SCENARIOS.map((scenario) => scenario.evaluate(outcome.alone.get(scenario.id)));
  const table = writeReport(report(startedAt, results, notes, outcome.postgresVersion));
  process.stdout.write(`\n${table}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
