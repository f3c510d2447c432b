import { DomainError, DomainErrorKind, FieldProblem, STATUS_BY_KIND } from './domain-error';

/** One way a context can say no: its stable code, the HTTP status it answers with and its default message. */
export interface ErrorCode {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

const KIND_BY_STATUS = new Map(Object.entries(STATUS_BY_KIND).map(([kind, status]) => [status, kind as DomainErrorKind]));

/** Declares a context's catalogue of error codes; refuses at load a status no DomainError kind answers with. */
export function defineErrorCodes<T extends Record<string, ErrorCode>>(codes: T): T {
  for (const [name, entry] of Object.entries(codes)) {
    if (!KIND_BY_STATUS.has(entry.status))
      throw new Error(`The error code ${name} has a status no DomainError answers with: ${entry.status}`);
  }
  return codes;
}

/** The DomainError of a catalogue entry, with a more precise message when the situation gives one. */
export function domainError(
  entry: ErrorCode,
  message: string = entry.message,
  extras: { errors?: FieldProblem[]; retryAfterSeconds?: number } = {},
): DomainError {
  return new DomainError(entry.code, message, KIND_BY_STATUS.get(entry.status)!, extras);
}
