import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import pino, { type DestinationStream, type Logger } from 'pino';
import { requestContext } from '@careid/shared';

/** Fields that carry secrets, wherever they appear in a log object. */
const REDACTED_PATHS = [
  'password',
  'passwordHash',
  'currentPassword',
  'token',
  'refreshToken',
  'accessToken',
  'longLivedToken',
  'ticket',
  'secret',
  'totp',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  '*.ticket',
  '*.secret',
];

/** How long a log line may wait in the buffer before it is written. */
const LOG_FLUSH_INTERVAL_MS = 500;

/**
 * Standard output, buffered: lines are written 4 KB at a time, or every
 * LOG_FLUSH_INTERVAL_MS, and on exit (pino flushes synchronously then):
 * one write call per 4 KB instead of one per line or two. A SIGKILL loses
 * at most the last half second of lines.
 */
function bufferedStdout(): DestinationStream {
  return pino.destination({ fd: 1, minLength: 4096, periodicFlush: LOG_FLUSH_INTERVAL_MS });
}

/**
 * The process's one logger: structured JSON lines, known secret-bearing
 * fields redacted, and every line written while a request is handled
 * carries that request's id (`reqId`, from the request context).
 */
export function createRootLogger(level: string, stream: DestinationStream = bufferedStdout()): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => {
        const context = requestContext.get();
        if (!context) return {};
        return context.traceId ? { reqId: context.requestId, traceId: context.traceId } : { reqId: context.requestId };
      },
    },
    stream,
  );
}

/**
 * Nest's logger over the process's pino logger, as nestjs-pino's LoggerModule
 * makes it, for the lines written before that module exists (Nest's
 * bootstrap, a failed start-up): JSON from the first line.
 */
export function nestLoggerOver(logger: Logger): LoggerService {
  const params = loggerParams(logger);
  return new NestPinoLogger(new PinoLogger(params), params);
}

/** W3C Trace Context: version-traceid-parentid-flags; an all-zero id, or version ff, is invalid. */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(?:-|$)/;

/**
 * The trace a request belongs to: its span's when tracing runs (tracing.ts),
 * else the one its `traceparent` names, read from the header alone, so that
 * logs join a caller's trace without the cost of the SDK.
 */
export function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (span && isSpanContextValid(span)) return span.traceId;
  return typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}

/**
 * nestjs-pino (Nest's Logger and PinoLogger) over that logger, without its
 * pino-http middleware, which made a child logger per request and ran
 * through Nest's middleware layer (BENCHMARKS.md, "Why the code looks like
 * this"). The request line comes from `logRequests` instead.
 */
export function loggerParams(logger: Logger): Params {
  return { pinoHttp: { logger }, useExisting: true, forRoutes: [] };
}

/** Path parameters that name a person (an email): never written to a log line. */
const PERSON_PARAMETER = /:email\b/;
/** A path that may hold an email, raw or percent-encoded; only those ask for their route (a getter that allocates). */
const MAY_HOLD_EMAIL = /[@%]|mail/i;

/**
 * The path as logged: a route with a person's identifier among its
 * parameters is written as its pattern, that parameter `[redacted]` and the
 * others as given (`/api/v1/users/by-email/[redacted]`). Read from the
 * matched route, not the raw URL, which the router decodes
 * (`/by-%65mail/...` is the same route).
 */
export function loggedPath(route: string | undefined, params: Record<string, string> | undefined, path: string): string {
  if (route === undefined || !PERSON_PARAMETER.test(route)) return path;
  return route.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) =>
    name === 'email' ? '[redacted]' : encodeURIComponent(params?.[name] ?? ''),
  );
}

/**
 * One line per answered request, as pino-http wrote it: id, method, path
 * (never the query string, never headers), status and time. 503 is an
 * outage the error filter already reported once; other 5xx are bugs.
 * A person's identifier in the path is redacted (loggedPath).
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  // The line is built here from fields that carry no secret: redacting it would only cost time.
  const requestLog = logger.child({}, { redact: { paths: [], censor: '[redacted]' } });
  fastify.addHook('onResponse', (request, reply, done) => {
    const query = request.url.indexOf('?');
    const path = query < 0 ? request.url : request.url.slice(0, query);
    if (!path.startsWith('/health')) {
      const statusCode = reply.statusCode;
      const level = statusCode === 503 ? 'warn' : statusCode >= 500 ? 'error' : 'info';
      const url = MAY_HOLD_EMAIL.test(path)
        ? loggedPath(request.routeOptions.url, request.params as Record<string, string> | undefined, path)
        : path;
      requestLog[level](
        { req: { id: request.id, method: request.method, url }, res: { statusCode }, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}
