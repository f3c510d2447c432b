import { createHash, timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { domainError, Metrics, sendProblem, SharedErrors } from '@careid/shared';

const LOGGER = new Logger('Metrics');

/** Requests no route matched share one label: their raw URLs would grow the series without bound. */
const UNMATCHED_ROUTE = '404';

/** Every answered request in the latency histogram, by method, route pattern and status. */
export function measureRequests(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` (Prometheus text format) for a scraper that sends
 * `Authorization: Bearer <METRICS_TOKEN>`; 401 for anyone else. Outside the
 * OpenAPI document and the access guard: it is for operators, not API
 * clients. Without a token configured the route does not exist (404).
 */
export function serveMetrics(fastify: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  if (!token) return;
  // Digests of equal length, compared in constant time: the answer's timing says nothing about the token.
  const expected = digest(`Bearer ${token}`);
  fastify.get('/metrics', async (request, reply) => {
    const given = request.headers.authorization;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      sendProblem(domainError(SharedErrors.METRICS_TOKEN_REQUIRED), request, reply, LOGGER);
      return reply;
    }
    const { contentType, body } = await metrics.scrape();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
