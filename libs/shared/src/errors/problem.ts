import { HttpException } from '@nestjs/common';
import { DomainError, FieldProblem, STATUS_BY_KIND } from './domain-error';
import { translateDatabaseError } from './database-errors';

/** An RFC 9457 problem document as Careid sends it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
  requestId: string;
}

export interface Problem {
  status: number;
  body: ProblemDocument;
  headers: Record<string, string>;
  /** The error was not expected: log it with its stack. */
  unexpected: boolean;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODES_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own errors (body parsing, limits) that are the client's fault. */
const FASTIFY_CODES: Record<string, { code: string; detail: string; status: number; message: RegExp }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'MALFORMED_JSON',
    detail: 'The request body is not valid JSON',
    status: 400,
    message: /not valid JSON/,
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MALFORMED_JSON',
    detail: 'The request body is empty but declared as JSON',
    status: 400,
    message: /Body cannot be empty/,
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is larger than the server accepts',
    status: 413,
    message: /./,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'The request body has an unsupported content type',
    status: 415,
    message: /./,
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    detail: 'The Content-Length header does not match the body',
    status: 400,
    message: /Content-Length/,
  },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', detail: 'The request URL is not valid', status: 400, message: /is not a valid url/ },
};

function typeFor(code: string): string {
  return `https://careid.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

function document(status: number, code: string, detail: string, requestId: string, errors?: FieldProblem[]): ProblemDocument {
  return {
    type: typeFor(code),
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail,
    code,
    ...(errors?.length ? { errors } : {}),
    requestId,
  };
}

function fromDomainError(error: DomainError, requestId: string): Problem {
  const status = STATUS_BY_KIND[error.kind];
  const headers: Record<string, string> = {};
  if (error.extras.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.extras.retryAfterSeconds)));
  return { status, body: document(status, error.code, error.message, requestId, error.extras.errors), headers, unexpected: false };
}

function fromHttpException(error: HttpException, requestId: string): Problem {
  const status = error.getStatus();
  if (status >= 500 && status !== 503) {
    return unexpected(requestId);
  }
  const response = error.getResponse();
  let detail = typeof response === 'string' ? response : error.message;
  if (typeof response === 'object' && response && typeof (response as { message?: unknown }).message === 'string') {
    detail = (response as { message: string }).message;
  }
  if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(detail)) detail = 'No such route';
  let code = CODES_BY_STATUS[status] ?? (status >= 500 ? 'SERVICE_UNAVAILABLE' : 'BAD_REQUEST');
  // Nest rewraps Fastify's body-parser errors as HttpExceptions that keep only the message.
  const known = Object.values(FASTIFY_CODES).find((candidate) => candidate.status === status && candidate.message.test(detail));
  if (known) {
    code = known.code;
    detail = known.detail;
  }
  if (status === 503) detail = 'The service is not ready';
  return { status, body: document(status, code, detail, requestId), headers: {}, unexpected: false };
}

function unexpected(requestId: string): Problem {
  return {
    status: 500,
    body: document(500, 'INTERNAL_ERROR', 'Something went wrong on our side; the request id identifies it in our logs', requestId),
    headers: {},
    unexpected: true,
  };
}

/** Turns anything thrown while handling a request into the problem document the client gets. */
export function toProblem(error: unknown, requestId: string): Problem {
  if (error instanceof DomainError) return fromDomainError(error, requestId);
  if (error instanceof HttpException) return fromHttpException(error, requestId);
  const fromDatabase = translateDatabaseError(error);
  if (fromDatabase) return fromDomainError(fromDatabase, requestId);
  const fastifyCode = (error as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const known = FASTIFY_CODES[fastifyCode];
    const status = Number((error as { statusCode?: unknown }).statusCode) || 400;
    return { status, body: document(status, known.code, known.detail, requestId), headers: {}, unexpected: false };
  }
  const statusCode = Number((error as { statusCode?: unknown })?.statusCode);
  if (statusCode >= 400 && statusCode < 500) {
    const code = CODES_BY_STATUS[statusCode] ?? 'BAD_REQUEST';
    return {
      status: statusCode,
      body: document(statusCode, code, TITLES[statusCode] ?? 'Bad request', requestId),
      headers: {},
      unexpected: false,
    };
  }
  return unexpected(requestId);
}
