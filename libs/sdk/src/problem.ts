import type { components } from './gen/openapi';

/** An RFC 9457 problem as the gateway answers every error (`application/problem+json`). */
export type Problem = components['schemas']['ProblemView'];

/**
 * A refused request: the gateway's problem, typed. `code` is the stable machine-readable code
 * (`ORDER_NOT_FOUND`, `RATE_LIMITED`, …) to branch on; `detail` is for people; `traceId` finds the
 * request in the logs; `retryAfterSeconds` is the `Retry-After` of a 429 or 503.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly traceId?: string;
  readonly errors: { field?: string; message?: string }[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly problem: Problem,
    readonly method: string,
    readonly url: string,
    retryAfter?: string | null,
  ) {
    super(`${method} ${url}: ${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'ProblemError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.traceId = problem.traceId;
    this.errors = problem.errors ?? [];
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    if (Number.isFinite(seconds) && seconds >= 0) this.retryAfterSeconds = seconds;
  }

  /** The response as a problem: a body that is not problem+json still becomes one (code HTTP_<status>). */
  static async from(request: Request, response: Response): Promise<ProblemError> {
    const text = await response.text().catch(() => '');
    let body: Partial<Problem> | undefined;
    try {
      body = text ? (JSON.parse(text) as Partial<Problem>) : undefined;
    } catch {
      body = undefined;
    }
    const problem: Problem =
      body && typeof body.code === 'string' && typeof body.status === 'number'
        ? (body as Problem)
        : {
            type: 'about:blank',
            title: response.statusText || `HTTP ${response.status}`,
            status: response.status,
            detail: text.slice(0, 500) || `the server answered ${response.status}`,
            code: `HTTP_${response.status}`,
          };
    const path = new URL(request.url).pathname;
    return new ProblemError(problem, request.method, path, response.headers.get('retry-after'));
  }
}

/** True when `error` is a problem from the gateway, and of `code` when one is given. */
export function isProblem(error: unknown, code?: string): error is ProblemError {
  return error instanceof ProblemError && (code === undefined || error.code === code);
}
