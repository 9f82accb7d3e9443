import { status as GrpcStatus } from '@grpc/grpc-js';
import { HttpException } from '@nestjs/common';
import { isDependencyUnavailable, RemoteCallError } from '@emporia/platform';

/** RFC 9457 problem details, plus Emporia's stable `code`, the trace id and field errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  traceId?: string;
  errors?: FieldProblem[];
}

/**
 * One field's refusal: `field` the path in the request body as the client sent it
 * (`address.postalCode`, `skus.0.price.currency`); `reason` a backend's stable reason for it
 * (`DISTRICT_NOT_IN_CITY`), for a form to show next to the field.
 */
export interface FieldProblem {
  field: string;
  message: string;
  reason?: string;
}

/**
 * An answer the client gets as problem+json: an expected outcome (never logged as a failure), so
 * it is built without a stack trace, which would cost more than the rest of a hot 4xx.
 */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly errors?: FieldProblem[],
    /** Extra response headers (e.g. WWW-Authenticate on a 401). */
    readonly headers?: Record<string, string>,
    /** Extension members of the problem (RFC 9457 §3.2), e.g. `accepted` of INVALID_EVENTS. */
    readonly extensions?: Record<string, unknown>,
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = limit;
  }
}

export const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** gRPC status of a backend → HTTP status of the gateway. */
export const GRPC_TO_HTTP: Partial<Record<GrpcStatus, number>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.OUT_OF_RANGE]: 400,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.ALREADY_EXISTS]: 409,
  [GrpcStatus.ABORTED]: 409,
  [GrpcStatus.FAILED_PRECONDITION]: 422,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.UNAUTHENTICATED]: 401,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
  [GrpcStatus.UNAVAILABLE]: 503,
  [GrpcStatus.DEADLINE_EXCEEDED]: 504,
};

/**
 * Backend codes answered with another status than their gRPC status says: a sensitive change or
 * a large order without a recent step-up is the user and order services' FAILED_PRECONDITION
 * STEP_UP_REQUIRED, and the client's `403` (it is allowed, once it confirms who it is).
 */
export const STATUS_OF_CODE: Readonly<Record<string, number>> = { STEP_UP_REQUIRED: 403 };

/**
 * When a backend's limit lets the client retry (an SMS code's resend cooldown, a send or sign-in
 * limit): its `details.retryAfterSeconds`, or `details.retryAt` / `details.resendAfter` (RFC
 * 3339), as whole seconds from `nowMs` (at least 1); else undefined. Used for 429s.
 */
export function retryAfterOf(
  details: Record<string, unknown>,
  nowMs = Date.now(),
): number | undefined {
  const seconds = details.retryAfterSeconds;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0)
    return Math.max(1, Math.ceil(seconds));
  for (const at of [details.retryAt, details.resendAfter]) {
    const ms = typeof at === 'string' && at ? Date.parse(at) : Number.NaN;
    if (Number.isFinite(ms)) return Math.max(1, Math.ceil((ms - nowMs) / 1000));
  }
  return undefined;
}

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const slug = (code: string) => code.toLowerCase().replace(/_/g, '-');

function problem(
  status: number,
  code: string,
  detail: string,
  errors?: Problem['errors'],
): Problem {
  return {
    type: `https://emporia.dev/problems/${slug(code)}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

/** A problem body (without `instance` and `traceId`, which the filter adds). */
export const problemBody = problem;

/**
 * `Retry-After` (seconds) of a 503 because a backend did not answer: its channel reconnects
 * within about a second of its return (see grpcClient), and readiness takes a replica that has
 * lost it out of rotation.
 */
export const BACKEND_RETRY_AFTER_SECONDS = 2;
/** `Retry-After` (seconds) of a 503 because the gateway's Redis did not answer. */
export const REDIS_RETRY_AFTER_SECONDS = 5;

/** A problem, whether it is unexpected (to be logged), and the headers that go with it. */
export interface MappedProblem {
  problem: Problem;
  unexpected: boolean;
  headers?: Record<string, string>;
}

/**
 * Any error → a problem. Backend errors keep their stable code; internal errors say nothing
 * about internals. An unavailable dependency is always `503` with `Retry-After`: a backend's
 * UNAVAILABLE (its own dependency down, or unreachable) is `BACKEND_UNAVAILABLE`, a dependency of
 * the gateway itself (Redis) that no handler caught is `DEPENDENCY_UNAVAILABLE`.
 */
export function toProblem(e: unknown): MappedProblem {
  if (e instanceof ProblemError)
    return {
      problem: { ...e.extensions, ...problem(e.status, e.code, e.message, e.errors) },
      unexpected: false,
      ...(e.headers ? { headers: e.headers } : {}),
    };
  if (e instanceof RemoteCallError) {
    const http = STATUS_OF_CODE[e.remote.code] ?? GRPC_TO_HTTP[e.remote.status];
    if (http === undefined || http >= 500) {
      const status = http ?? 502;
      const code =
        http === 503 ? 'BACKEND_UNAVAILABLE' : http === 504 ? 'BACKEND_TIMEOUT' : 'BACKEND_ERROR';
      const detail =
        http === 503
          ? `the ${e.backend} service is unavailable; retry after ${BACKEND_RETRY_AFTER_SECONDS} s`
          : http
            ? `the ${e.backend} service did not answer in time`
            : `the ${e.backend} service failed`;
      return {
        problem: problem(status, code, detail),
        unexpected: !http,
        ...(http === 503
          ? { headers: { 'retry-after': String(BACKEND_RETRY_AFTER_SECONDS) } }
          : {}),
      };
    }
    // a limit's wait (an SMS code's cooldown, a send or sign-in limit); other statuses keep theirs
    const retryAfter = http === 429 ? retryAfterOf(e.remote.details) : undefined;
    return {
      problem: problem(
        http,
        e.remote.code,
        e.remote.message,
        detailsToErrors(e.remote.details, e.remote.message),
      ),
      unexpected: false,
      ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
    };
  }
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const msg = e.message;
    const code =
      status === 400 && /JSON/i.test(msg)
        ? 'MALFORMED_JSON'
        : (HTTP_CODES[status] ?? `HTTP_${status}`);
    const detail =
      code === 'MALFORMED_JSON'
        ? 'the request body is not valid JSON'
        : status === 404
          ? 'no such route'
          : msg;
    return { problem: problem(status, code, detail), unexpected: status >= 500 };
  }
  if (isDependencyUnavailable(e))
    return {
      problem: problem(
        503,
        'DEPENDENCY_UNAVAILABLE',
        `a dependency of the gateway is unavailable; retry after ${REDIS_RETRY_AFTER_SECONDS} s`,
      ),
      // logged: a path that meets Redis should say what it does when Redis is down
      unexpected: true,
      headers: { 'retry-after': String(REDIS_RETRY_AFTER_SECONDS) },
    };
  return {
    problem: problem(
      500,
      'INTERNAL',
      'an unexpected error occurred; the trace id identifies it in the logs',
    ),
    unexpected: true,
  };
}

/** A backend's field path (proto names, `address.postal_code`) as the JSON body names it. */
export const jsonFieldPath = (field: string): string =>
  field.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * A backend's `details` → the problem's field errors: `{field, reason?}` (the user and order
 * services' `ADDRESS_INVALID` says `{field: 'address.district', reason: 'DISTRICT_NOT_IN_CITY'}`)
 * becomes `[{field: 'address.district', message, reason: 'DISTRICT_NOT_IN_CITY'}]`, the field in
 * the body's camelCase and the backend's message, so a form can show the reason by the field.
 */
export function detailsToErrors(
  details: Record<string, unknown>,
  message = 'invalid',
): Problem['errors'] {
  if (typeof details.field !== 'string' || !details.field) return undefined;
  const reason = typeof details.reason === 'string' && details.reason ? details.reason : undefined;
  return [
    {
      field: jsonFieldPath(details.field),
      message: message || 'invalid',
      ...(reason ? { reason } : {}),
    },
  ];
}
