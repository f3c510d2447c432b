/**
 * Expected outcomes that are not successes. Services throw these; one global
 * filter turns them into problem+json. `kind` says what went wrong in domain
 * words, the filter decides the HTTP status.
 */
export type DomainErrorKind =
  | 'invalid' // the request is malformed or breaks a rule
  | 'unauthenticated' // no or bad credentials
  | 'forbidden' // the caller's role may never do this
  | 'not-found' // no such record, or not one the caller may see
  | 'conflict' // the record changed or the state forbids the move
  | 'gone' // a one-time thing already used or expired
  | 'too-many' // locked out or rate limited
  | 'payload-too-large'
  | 'unavailable'; // a dependency (the database) is down

export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'invalid',
    readonly extras: { errors?: FieldProblem[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static invalid(code: string, message: string, errors?: FieldProblem[]) {
    return new DomainError(code, message, 'invalid', { errors });
  }
  static unauthenticated(code: string, message: string) {
    return new DomainError(code, message, 'unauthenticated');
  }
  static forbidden(code: string, message: string) {
    return new DomainError(code, message, 'forbidden');
  }
  static notFound(code: string, message: string) {
    return new DomainError(code, message, 'not-found');
  }
  static conflict(code: string, message: string) {
    return new DomainError(code, message, 'conflict');
  }
  static gone(code: string, message: string) {
    return new DomainError(code, message, 'gone');
  }
  static tooMany(code: string, message: string, retryAfterSeconds: number) {
    return new DomainError(code, message, 'too-many', { retryAfterSeconds });
  }
  static unavailable(code: string, message: string) {
    return new DomainError(code, message, 'unavailable');
  }
}

export const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'too-many': 429,
  'payload-too-large': 413,
  unavailable: 503,
};
