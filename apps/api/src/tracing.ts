import { existsSync } from 'node:fs';
import { buildConfiguration } from '@careid/shared/config/configuration';
import type { NodeSDK } from '@opentelemetry/sdk-node';

// Second, after thread-pool: OpenTelemetry patches http, pg and fastify as they are first loaded, so main.ts imports
// this module before them. The SDK (a second to load) is loaded only when spans have somewhere to go: without an
// OTLP endpoint nothing is traced, and the request log lines carry the trace id of an incoming `traceparent` alone
// (logging.ts), at no cost per request (BENCHMARKS.md).

function otlpSettings() {
  // A developer's .env, as serve.ts reads it; real environment variables win over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return buildConfiguration(process.env).observability;
  } catch {
    return undefined; // serve.ts reports the configuration's problems and stops
  }
}

const settings = otlpSettings();

/** The running SDK, when OTEL_EXPORTER_OTLP_ENDPOINT is set; serve.ts shuts it down (flushing its spans) on exit. */
export const tracingSdk: NodeSDK | undefined = settings?.otlpEndpoint
  ? (require('./tracing-sdk') as typeof import('./tracing-sdk')).startTracing({ ...settings, otlpEndpoint: settings.otlpEndpoint })
  : undefined;
