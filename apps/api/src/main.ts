import './thread-pool';
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildConfiguration, Configuration, ConfigurationError, EmbeddedPostgres, startEmbeddedPostgres } from '@careid/shared';
import { createApp } from './create-app';

const logger = new Logger('Careid');

function readConfiguration(): Configuration {
  // A developer's .env, when there is one; real environment variables win over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return buildConfiguration(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      // Plain stderr: the message names each bad variable, and nothing else has started yet.
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const configuration = readConfiguration();
  const running: { app?: NestFastifyApplication; embedded?: EmbeddedPostgres } = {};
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal: stop at once
    stopping = true;
    logger.log(`${signal} received: finishing in-flight requests`);
    const deadline = setTimeout(() => process.exit(1), 15_000);
    try {
      await running.app?.close();
      await running.embedded?.stop();
    } finally {
      clearTimeout(deadline);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  if (!configuration.database.url) {
    const embedded = await startEmbeddedPostgres({ dataDir: configuration.database.embeddedDir, log: (line) => logger.log(line) });
    running.embedded = embedded;
    await embedded.ensureDatabase('careid');
    configuration.database.url = embedded.urlFor('careid');
  }
  const app = await createApp(configuration);
  running.app = app;
  if (stopping) return;
  await app.listen({ port: configuration.app.port, host: '0.0.0.0' });
  const base = `http://localhost:${configuration.app.port}`;
  logger.log(`Careid API listening on ${base} (${configuration.app.nodeEnv}); API docs at ${base}/api/docs`);
  if (configuration.app.benchUnguardedRoutes) {
    logger.warn('BENCH_UNGUARDED_ROUTES=1: GET /api/v1/bench-unguarded/users/:id answers without authentication (benchmarks only)');
  }
}

main().catch((error: unknown) => {
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
