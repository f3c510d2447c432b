import { Writable } from 'node:stream';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { buildConfiguration, Configuration } from '@careid/shared';
import { createApp } from '../../apps/api/src/create-app';
import { createTestDatabase, dropTestDatabase } from './test-database';
import { HttpClient } from './http';

export const TEST_ADMIN = { login: 'admin', password: 'admin-password-for-tests' };

/** Settings every e2e app starts with; a test overrides what it is about. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  BCRYPT_COST: '4',
  ADMIN_LOGIN: TEST_ADMIN.login,
  ADMIN_PASSWORD: TEST_ADMIN.password,
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  PUBLIC_URL: 'http://careid.test',
  // The frontend the tests' invitation links (loginUrl) point to, beside PUBLIC_URL itself.
  ALLOWED_REDIRECT_ORIGINS: 'http://careid.test,https://app.example',
  AUTH_RATE_LIMIT_PER_MINUTE: '0',
  OUTBOX_POLL_MS: '100',
  OUTBOX_BASE_DELAY_MS: '200',
};

export interface TestApp {
  app: NestFastifyApplication;
  configuration: Configuration;
  baseUrl: string;
  http: HttpClient;
  database: { name: string; url: string };
  /** Every log line the app wrote, as parsed JSON. */
  logs: Record<string, unknown>[];
  logText(): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  extraModules?: Type[];
  /** Reuse a database (e.g. a second instance, or a restart) instead of cloning a new one. */
  database?: { name: string; url: string };
  /** A port chosen beforehand (e.g. so that PUBLIC_URL, the OpenID issuer, is the app's real address); else a free one. */
  port?: number;
}

/** Boots the real app on Fastify, on its own fresh, migrated PostgreSQL database, listening on a random port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const configuration = buildConfiguration({ ...TEST_ENV, ...options.env, DATABASE_URL: database.url });
  const logs: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        try {
          logs.push(JSON.parse(line));
        } catch {
          logs.push({ msg: line });
        }
      }
      callback();
    },
  });
  // nestjs-pino keeps the logger for lines written outside a request (the outbox worker, start-up) in a module variable
  // that only the first app of a test file sets: without this, a later app's worker lines would land in the first app's logs.
  __resetOutOfContextForTests();
  const app = await createApp(configuration, { extraModules: options.extraModules, logStream: logStream as never });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    app,
    configuration,
    baseUrl,
    http: new HttpClient(baseUrl),
    database,
    logs,
    logText: () => lines.join('\n'),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      if (!options.database) await dropTestDatabase(database.name);
    },
  };
}
