import type { components } from './generated/schema.js';

export type Problem = components['schemas']['ProblemDto'];
export type FieldProblem = components['schemas']['FieldProblemDto'];

/**
 * An answer of the Careid API that is not a success, from its problem+json body
 * (RFC 9457): `code` is the stable machine-readable reason (`DUPLICATE_LOGIN`,
 * `REVISION_CONFLICT`, ...), `requestId` names the request in the server's logs.
 */
export class CareidApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly errors: FieldProblem[];
  readonly type: string | undefined;
  readonly title: string | undefined;
  /** From `Retry-After`, on 429 and 503 answers. */
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Partial<Problem> & { status: number; code: string; detail: string; retryAfterSeconds?: number }) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'CareidApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.errors = problem.errors ?? [];
    this.type = problem.type;
    this.title = problem.title;
    this.retryAfterSeconds = problem.retryAfterSeconds;
  }

  /** Reads a failed response; a body that is not a problem document still gives a status and a code. */
  static async fromResponse(response: Response): Promise<CareidApiError> {
    const text = await response.text().catch(() => '');
    let problem: Partial<Problem> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') problem = parsed as Partial<Problem>;
    } catch {
      // not JSON: keep the status and the text
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    return new CareidApiError({
      ...problem,
      status: response.status,
      code: typeof problem.code === 'string' ? problem.code : `HTTP_${response.status}`,
      detail: typeof problem.detail === 'string' ? problem.detail : text.slice(0, 500) || response.statusText,
      requestId: problem.requestId ?? response.headers.get('x-request-id') ?? undefined,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  }
}
