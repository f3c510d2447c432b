import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet, { FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Logger } from 'nestjs-pino';
import {
  Configuration,
  createValidationPipe,
  DomainError,
  domainError,
  Metrics,
  parseJsonBody,
  ProblemDetailsFilter,
  requestContext,
  sendProblem,
  SharedErrors,
} from '@careid/shared';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { mountOpenIdProvider } from '@careid/oidc';
import { AppModule, AppModuleOptions } from './app.module';
import { allowCors } from './cors';
import { acceptIfMatch, knownRoutes, tagRecords, WrongMethodFilter } from './http-conventions';
import { refineApiDocument } from './openapi/refine-document';
import { answerClientError, drainRefusedBody } from './lingering-close';
import { createRootLogger, logRequests, nestLoggerOver, traceIdOf } from './logging';
import { measureRequests, serveMetrics } from './metrics-endpoint';

export interface CreateAppOptions extends Pick<AppModuleOptions, 'extraModules'> {
  /** Where logs go instead of stdout (tests capture them). */
  logStream?: DestinationStream;
  /** The process's logger, when it was made before the app (serve.ts); else one is made on `logStream`. */
  logger?: PinoLogger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
      upgradeInsecureRequests: null,
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
};

/** Headers every Fastify answer carries whatever helmet does; the rest of an answer's headers are helmet's. */
const NOT_HELMET = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/**
 * The security headers @fastify/helmet sets with HELMET_OPTIONS, asked of
 * helmet itself once on a throwaway instance: @fastify/helmet builds a new
 * helmet middleware on every request (re-parsing the CSP directives), while
 * with static options (no CSP nonces, no per-route settings) the answer is
 * the same for every request.
 */
async function securityHeaders(): Promise<Record<string, string>> {
  const probe = new FastifyAdapter().getInstance();
  await probe.register(helmet, HELMET_OPTIONS);
  probe.get('/', (_request, reply) => reply.send(''));
  const response = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!NOT_HELMET.has(name) && typeof value === 'string') headers[name] = value;
  }
  if (!headers['content-security-policy']) throw new Error('helmet set no Content-Security-Policy: check HELMET_OPTIONS');
  return headers;
}

const FRAMEWORK_ERRORS_LOGGER = new NestLogger('Errors');

/** Fastify with the app's limits, request ids, proxies and client-error answers. */
function fastifyAdapter(configuration: Configuration): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: configuration.app.bodyLimitBytes,
    // A caller's request id is kept when it looks like one; it is stored on the raw request for the log line too.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      (req as IncomingMessage & { id: string }).id = id;
      return id;
    },
    // Behind a proxy (TRUST_PROXY), the client's address comes from X-Forwarded-For: rate limits and the audit trail use it.
    trustProxy: configuration.app.trustedProxies.length ? configuration.app.trustedProxies : false,
    return503OnClosing: true,
    // No Nest middleware runs (logging.ts logs requests from a Fastify hook): no middleware layer on every request.
    skipMiddie: true,
    routerOptions: { maxParamLength: 1000 },
    // Headers too large (431) or malformed: a problem+json answer the client gets to read before the connection closes.
    clientErrorHandler: answerClientError,
    // Errors of Fastify's router itself (a URL that is not valid UTF-8) get problem+json like every other 4xx.
    // No hook runs for those: the request id header is set here.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id);
      sendProblem(error, request, reply, FRAMEWORK_ERRORS_LOGGER);
    },
  });
}

/** Our JSON body parser (bounded nesting, problem+json for bad bodies) and the answer's closing rules. */
function handleBodies(fastify: FastifyInstance, configuration: Configuration): void {
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: configuration.app.bodyLimitBytes },
    (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  // During a graceful shutdown, answers to requests still in flight close their connection, so the server can stop.
  // A body refused before it was read (413) is read and discarded first, so that a client still uploading gets the answer.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!fastify.server.listening) void reply.header('connection', 'close');
    else if (reply.statusCode === 413 && !request.raw.complete) drainRefusedBody(request.raw, reply);
    done(null, payload);
  });
}

/** Security headers, the request id and context, the request log line and CORS, from Fastify hooks. */
async function addRequestHooks(fastify: FastifyInstance, configuration: Configuration, logger: PinoLogger): Promise<void> {
  const corsOrigins = configuration.app.corsOrigins;
  // helmet's headers do not depend on the request with these options: computed once, set on every answer (see
  // securityHeaders). On Fastify's reply, not the raw response: Node then writes them with the status line, without
  // keeping a second copy of every header per answer. Answers depend on the Origin header once origins are configured
  // (allowCors): caches must key on it.
  const security = Object.entries({ ...(await securityHeaders()), ...(corsOrigins.length ? { vary: 'Origin' } : {}) });
  fastify.addHook('onRequest', (request, reply, done) => {
    for (let i = 0; i < security.length; i++) void reply.header(security[i][0], security[i][1]);
    void reply.header('x-request-id', request.id);
    requestContext.run({ requestId: String(request.id), traceId: traceIdOf(request.headers.traceparent), ip: request.ip }, done);
  });
  logRequests(fastify, logger);
  allowCors(fastify, {
    origins: corsOrigins,
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'location',
      'etag',
      'ratelimit',
      'ratelimit-policy',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
    ],
  });
}

/** The per-instance limit on `/api/v1/auth/*` (AUTH_RATE_LIMIT_PER_MINUTE; 0 turns it off). */
async function limitAuthRate(app: NestFastifyApplication, configuration: Configuration): Promise<void> {
  if (configuration.auth.rateLimitPerMinute <= 0) return;
  rateLimitFields(app.getHttpAdapter().getInstance());
  await app.register(rateLimit, {
    global: true,
    max: configuration.auth.rateLimitPerMinute,
    timeWindow: 60_000,
    // RateLimit-Limit/-Remaining/-Reset, not the legacy x-ratelimit-* (see also rateLimitFields).
    enableDraftSpec: true,
    // By the route matched, not the raw URL: the router decodes `/api/v1/%61uth/login` to the login route too.
    allowList: (request) => !(request.routeOptions.url ?? '').startsWith('/api/v1/auth/'),
    errorResponseBuilder: (_request, context) => {
      const error = domainError(SharedErrors.RATE_LIMITED, SharedErrors.RATE_LIMITED.message, { retryAfterSeconds: context.ttl / 1000 });
      (error as DomainError & { statusCode: number }).statusCode = 429;
      return error;
    },
  });
}

/**
 * The IETF RateLimit and RateLimit-Policy fields (draft-ietf-httpapi-ratelimit-headers), derived from the
 * plugin's RateLimit-Limit/-Remaining/-Reset, which stay for clients of the earlier drafts.
 */
function rateLimitFields(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const limit = reply.getHeader('ratelimit-limit');
    if (limit !== undefined) {
      void reply.header('ratelimit-policy', `"auth";q=${limit};w=60`);
      void reply.header(
        'ratelimit',
        `"auth";r=${reply.getHeader('ratelimit-remaining') ?? 0};t=${reply.getHeader('ratelimit-reset') ?? 60}`,
      );
    }
    done(null, payload);
  });
}

/** The OpenAPI document at /api/docs (and -json, -yaml). */
function publishApiDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Careid API')
      .setDescription('Healthcare identity: users, authentication, patients, practitioners, invitations, notifications.')
      .setVersion('1.0.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
      .build(),
  );
  refineApiDocument(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml' });
}

/** Builds the HTTP application (not yet listening): the same for `main.ts`, tests and benchmarks. */
export async function createApp(configuration: Configuration, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createRootLogger(configuration.app.logLevel, options.logStream);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(configuration, { extraModules: options.extraModules, logger }),
    fastifyAdapter(configuration),
    {
      logger: nestLoggerOver(logger), // JSON from Nest's first line, a failed start-up's included
      abortOnError: false,
      bodyParser: false, // ours: handleBodies
    },
  );
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  handleBodies(fastify, configuration);
  await addRequestHooks(fastify, configuration, logger);
  measureRequests(fastify, app.get(Metrics));
  serveMetrics(fastify, app.get(Metrics), configuration.observability.metricsToken);
  await limitAuthRate(app, configuration);
  const routes = knownRoutes(fastify);
  acceptIfMatch(fastify);
  tagRecords(fastify);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(), new WrongMethodFilter(routes));
  publishApiDocs(app);
  try {
    await mountOpenIdProvider(app);
    await app.init();
  } catch (error) {
    // A refused start-up (an undeclared route, the seeded admin) must not leave the database pool open behind it.
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
