import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem';

/** The one place where errors become HTTP answers (problem+json). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(error, request, reply, this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Pick<Logger, 'error' | 'warn'>): void {
  const requestId = String(request?.id ?? 'unknown');
  const problem = toProblem(error, requestId);
  if (problem.unexpected) {
    // Only name, message and stack: driver errors carry the query's parameters, which may hold secrets.
    const err = error instanceof Error ? { type: error.name, message: error.message, stack: error.stack } : { message: String(error) };
    logger.error(
      { err, requestId, method: request?.method, route: request?.routeOptions?.url },
      'Unexpected error while handling a request',
    );
  } else if (problem.status === 503) {
    logger.warn({ requestId, code: problem.body.code, cause: error instanceof Error ? error.message : undefined }, 'Service unavailable');
  }
  if (reply.sent) return;
  void reply.status(problem.status).headers(problem.headers).type('application/problem+json').send(JSON.stringify(problem.body));
}
