import FastifyOtelInstrumentation from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';

/** Probes and scrapes: a span every few seconds per instance, telling nothing. */
const UNTRACED = /^\/(?:health|metrics)(?:[/?]|$)/;

/**
 * OpenTelemetry's SDK with the HTTP (incoming `traceparent` and outgoing
 * calls), Fastify (route and handler; our hooks are glue, not spans) and pg
 * instrumentations, exporting over OTLP/HTTP in batches. Only tracing: the
 * metrics are Prometheus's (/metrics), the logs pino's.
 */
export function startTracing(settings: { otlpEndpoint: string; serviceName: string }): NodeSDK {
  const exporter = new OTLPTraceExporter({ url: `${settings.otlpEndpoint}/v1/traces` });
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    spanProcessors: [new tracing.BatchSpanProcessor(exporter)],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED.test(request.url ?? '') }),
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        instrumentHooks: false,
        ignorePaths: (route) => UNTRACED.test(route.url),
      }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}
