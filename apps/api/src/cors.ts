import type { FastifyInstance } from 'fastify';

const ALLOWED_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

export interface CorsOptions {
  /** Origins whose pages may call the API with credentials; any other origin gets no CORS header at all. */
  origins: readonly string[];
  /** Answer headers a configured origin's scripts may read. */
  exposedHeaders: readonly string[];
}

/**
 * CORS for the configured origins only (what `app.enableCors` with an origin
 * callback did through @fastify/cors): a configured origin gets
 * Access-Control-Allow-Origin (itself), -Allow-Credentials and
 * -Expose-Headers on every answer, errors included, and its preflights are
 * answered 204 here, before authentication and rate limits; any other
 * origin, and a request without an Origin header, gets nothing, and its
 * preflight is a plain 404. `Vary: Origin` goes on every answer with the
 * security headers (see createApp). A request without an Origin header costs one lookup:
 * @fastify/cors copied its options and made a callback for every request.
 */
export function allowCors(fastify: FastifyInstance, options: CorsOptions): void {
  if (!options.origins.length) return;
  const origins = new Set(options.origins);
  const exposed = options.exposedHeaders.join(', ');
  fastify.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin === undefined || !origins.has(origin)) return done();
    void reply
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true')
      .header('access-control-expose-headers', exposed);
    if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return done();
    const askedHeaders = request.headers['access-control-request-headers'];
    void reply.header('access-control-allow-methods', ALLOWED_METHODS);
    if (askedHeaders)
      void reply.header('access-control-allow-headers', askedHeaders).header('vary', 'Origin, Access-Control-Request-Headers');
    void reply.code(204).header('content-length', '0').send();
  });
}
