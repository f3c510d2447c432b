import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { buildConfiguration, Configuration, ConfigurationError, EmbeddedPostgres, startEmbeddedPostgres } from '@careid/shared';
import { createApp, CreateAppOptions } from './create-app';
import { createRootLogger, nestLoggerOver } from './logging';
import { startupFailureMessage } from './startup-failure';
import { tracingSdk } from './tracing';

const logger = new Logger('Careid');

function readConfiguration(): Configuration {
  // A developer's .env, when there is one; real environment variables win over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return buildConfiguration(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      // Stderr, nothing else has started yet: the message names each bad variable; in production as a JSON line,
      // as every other line is (the log level is not known: it may be what is wrong).
      if (process.env.NODE_ENV === 'production')
        pino(pino.destination({ fd: 2, sync: true })).fatal({ problems: error.problems }, 'Invalid configuration');
      else process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** What start-up has begun; the embedded server is registered while it starts, so a signal then still stops it. */
const running: { app?: NestFastifyApplication; embedded?: Promise<EmbeddedPostgres> } = {};
let stopping = false;

/** Stops the app, then its embedded database (waiting for it to be up if it is still starting). */
async function stopRunning(): Promise<void> {
  try {
    await running.app?.close();
  } finally {
    const embedded = await running.embedded?.catch(() => undefined);
    await embedded?.stop();
    // The spans still in the batch, exported before the process ends.
    await tracingSdk?.shutdown().catch(() => undefined);
  }
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) process.exit(1); // a second signal: stop at once
  stopping = true;
  logger.log(`${signal} received: finishing in-flight requests`);
  const deadline = setTimeout(() => process.exit(1), 15_000);
  try {
    await stopRunning();
  } finally {
    clearTimeout(deadline);
    process.exit(0);
  }
}

/** Set once read, so that a failed start-up can name the setting to fix. */
let configuration: Configuration | undefined;

async function start(options: CreateAppOptions): Promise<void> {
  configuration = readConfiguration();
  // One logger for the whole process, from its first line: JSON, the embedded database's and start-up's lines included.
  const rootLogger = createRootLogger(configuration.app.logLevel);
  Logger.overrideLogger(nestLoggerOver(rootLogger));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  if (!configuration.database.url) {
    running.embedded = startEmbeddedPostgres({ dataDir: configuration.database.embeddedDir, log: (line) => logger.log(line) });
    const embedded = await running.embedded;
    await embedded.ensureDatabase('careid');
    configuration.database.url = embedded.urlFor('careid');
  }
  const app = await createApp(configuration, { ...options, logger: rootLogger });
  running.app = app;
  if (stopping) return;
  await app.listen({ port: configuration.app.port, host: '0.0.0.0' });
  const base = `http://localhost:${configuration.app.port}`;
  logger.log(`Careid API listening on ${base} (${configuration.app.nodeEnv}); API docs at ${base}/api/docs`);
}

/**
 * Runs the API as a process: configuration from the environment, the embedded
 * PostgreSQL when there is no DATABASE_URL, graceful shutdown on signals.
 * `main.ts` calls it; so does the bench's own entry (bench/app/main.ts), with its extra module.
 */
export function serve(options: CreateAppOptions = {}): void {
  start(options).catch(async (error: unknown) => {
    // A signal's shutdown is already stopping everything (and may be why start-up failed): let it finish.
    if (stopping) return;
    const known = configuration && startupFailureMessage(error, configuration);
    logger.error(known ?? (error instanceof Error ? (error.stack ?? error.message) : String(error)));
    // A failed start-up (port in use, migration error) must not leave the embedded server running.
    await stopRunning().catch(() => undefined);
    process.exit(1);
  });
}
