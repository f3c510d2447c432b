import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger as NestLogger, NotFoundException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '@careid/shared';

const LOGGER = new NestLogger('Errors');
const WRITES = new Set(['PUT', 'PATCH']);

/** A route pattern (`/api/v1/users/:id`) as a regular expression over concrete paths. */
function patternOf(url: string): RegExp {
  const escaped = url
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/:[A-Za-z0-9_]+/g, '[^/]+')
    .replace(/\*/g, '.*');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * A wrong method on a known path answers 405 with `Allow` (RFC 9110 §15.5.6),
 * not 404. Decided where a 404 is answered (a filter of the router's
 * NotFoundException), so that requests that match a route pay nothing: a root
 * onRequest hook for it cost a third of GET /users/:id's throughput (BENCHMARKS.md).
 */
export function knownRoutes(fastify: FastifyInstance): RoutePatterns {
  const routes: RoutePatterns = [];
  fastify.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map(String);
    const known = routes.find((entry) => entry.pattern.source === patternOf(route.url).source);
    if (known) known.methods.push(...methods.filter((m) => !known.methods.includes(m)));
    else routes.push({ pattern: patternOf(route.url), methods: [...methods] });
  });
  return routes;
}

export type RoutePatterns = { pattern: RegExp; methods: string[] }[];

@Catch(NotFoundException)
export class WrongMethodFilter implements ExceptionFilter {
  constructor(private readonly routes: RoutePatterns) {}

  catch(exception: NotFoundException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // OPTIONS stays 404: a preflight from an origin CORS does not allow learns nothing (see cors.ts).
    if (request.is404 && request.method !== 'OPTIONS') {
      const path = request.url.split('?')[0];
      const allowed = new Set(this.routes.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods));
      if (allowed.size && !allowed.has(request.method)) {
        if (allowed.has('GET')) allowed.add('HEAD');
        void reply.header('allow', [...allowed].sort().join(', '));
        return sendProblem(
          new HttpException(`${request.method} is not allowed on this path`, HttpStatus.METHOD_NOT_ALLOWED),
          request,
          reply,
          LOGGER,
        );
      }
    }
    sendProblem(exception, request, reply, LOGGER);
  }
}

/** `"<rev>"` as an entity tag, and the rev an `If-Match` / `If-None-Match` entity tag names. */
const entityTag = (rev: string) => `"${rev}"`;
const revOfTag = (tag: string) =>
  tag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');

/**
 * `If-Match` may stand in for the body's `rev` on a write (the seeds send it
 * in the body; HTTP clients send the record's ETag). Both, differing: 412.
 */
export function acceptIfMatch(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    const header = request.headers['if-match'];
    if (typeof header !== 'string' || !WRITES.has(request.method) || header.trim() === '*') return done();
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return done();
    const rev = revOfTag(header);
    if (body.rev === undefined) body.rev = rev;
    else if (body.rev !== rev) {
      return sendProblem(
        new HttpException('If-Match and the body carry different revisions', HttpStatus.PRECONDITION_FAILED),
        request,
        reply,
        LOGGER,
      );
    }
    done();
  });
}

/**
 * Records carry their `rev` as an ETag, and a GET whose `If-None-Match` names
 * it gets 304 with no body; a 201 says where the new record lives (`Location`)
 * when it was POSTed to its collection. A Fastify preSerialization hook, not a
 * Nest interceptor: an interceptor wraps every request in an AsyncResource and
 * rxjs (BENCHMARKS.md).
 */
export function tagRecords(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (request, reply, payload: unknown, done) => {
    const record = payload as { id?: unknown; rev?: unknown } | null;
    if (!record || typeof record !== 'object') return done(null, payload);
    if (request.method === 'POST' && reply.statusCode === 201 && typeof record.id === 'string' && !reply.hasHeader('location')) {
      const location = locationOf(request, record.id);
      if (location) void reply.header('location', location);
    }
    if (typeof record.rev !== 'string') return done(null, payload);
    void reply.header('etag', entityTag(record.rev));
    const wanted = request.method === 'GET' ? request.headers['if-none-match'] : undefined;
    if (typeof wanted === 'string' && wanted.split(',').some((tag) => tag.trim() === '*' || revOfTag(tag) === record.rev)) {
      void reply.code(304);
      return done(null, '');
    }
    done(null, payload);
  });
}

/** POST /things creates /things/:id; POST /things/:id/invite (a user) and the like say their own Location. */
function locationOf(request: FastifyRequest, id: string): string | undefined {
  const route = request.routeOptions.url ?? '';
  if (/:[A-Za-z0-9_]+/.test(route)) return undefined;
  return `${request.url.split('?')[0].replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
}
