import { status as GrpcStatus } from '@grpc/grpc-js';
import { isCodedError, RemoteCallError, type ErrorKind } from '@emporia/platform';
import { NonRetriableError } from './event';

/**
 * Why a consumer's handler failed, which decides what the consumer does with the message
 * (CONVENTIONS.md 20):
 * - `unavailable`: a dependency (database, broker, another service, Redis, Elasticsearch) did
 *   not answer. Nothing is wrong with the message: it is retried with backoff for as long as it
 *   takes, its partition paused, and never dead-lettered.
 * - `poison`: the message itself cannot be processed (undecodable, breaks a rule): a few tries,
 *   then `<topic>.dlq` (a NonRetriableError goes at once).
 * - `unknown`: anything else, most likely a bug. Treated like poison, so a bug never stalls a
 *   partition forever (the DLQ keeps the message for a replay once it is fixed), except that the
 *   consumer first asks its dependencies (`probe`): if they are down at that moment, the failure
 *   counts as `unavailable` instead.
 */
export type FailureKind = 'unavailable' | 'poison' | 'unknown';

/** A service's own rules, consulted first; `undefined` leaves the error to the built-in rules. */
export type FailureClassifier = (err: unknown) => FailureKind | undefined;

/**
 * Thrown (or used as a `cause`) by a handler to say a dependency is unavailable, for failures the
 * built-in rules do not recognise (e.g. an HTTP client's 503).
 */
export class DependencyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** Node socket and DNS errors: the peer cannot be reached (ioredis, pg, HTTP clients). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Postgres SQLSTATEs meaning "the server cannot serve you now", not "your statement is wrong":
 * connection exceptions (class 08), insufficient resources (53: too many connections, out of
 * memory, disk full), operator intervention (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
 * cannot_connect_now, 57P05 idle session timeout), system errors (58), a read-only server after
 * a failover (25006), and contention a retry resolves (40001 serialization, 40P01 deadlock,
 * 55P03 lock not available).
 */
function postgresUnavailable(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    code.startsWith('58') ||
    ['57P01', '57P02', '57P03', '57P05', '25006', '40001', '40P01', '55P03'].includes(code)
  );
}

/** Messages of pg, pg-pool, TypeORM and ioredis that carry no code. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/, // pg: unexpectedly / due to connection timeout
  /timeout exceeded when trying to connect/, // pg-pool: no connection within connectionTimeoutMillis
  /Client has encountered a connection error and is not queryable/, // pg
  /Connection is closed/, // ioredis
  /Stream isn't writeable/, // ioredis with the offline queue off
  /Reached the max retries per request limit/, // ioredis MaxRetriesPerRequestError
];

/** Error class names of clients whose whole point is "the server did not answer". */
const UNAVAILABLE_NAMES = new Set([
  'DependencyUnavailableError',
  'MaxRetriesPerRequestError', // ioredis
  'ConnectionError', // @elastic/transport
  'NoLivingConnectionsError', // @elastic/transport
  'TimeoutError', // @elastic/transport request timeout
]);

/** Kafka errors that are about a record, not the cluster: no retry makes them go through. */
const KAFKA_RECORD_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
]);

/** gRPC statuses (and error kinds) meaning the other side could not serve now. */
const UNAVAILABLE_STATUSES = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);
/** ...and the ones that are an answer about the request: it will not change on a retry. */
const REJECTING_STATUSES = new Set<number>([
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.NOT_FOUND,
  GrpcStatus.ALREADY_EXISTS,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.OUT_OF_RANGE,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.UNIMPLEMENTED,
]);
const UNAVAILABLE_KINDS = new Set<ErrorKind>(['UNAVAILABLE', 'RESOURCE_EXHAUSTED']);
const REJECTING_KINDS = new Set<ErrorKind>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
]);

type ErrorLike = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  type?: unknown;
  statusCode?: unknown;
  meta?: { statusCode?: unknown };
};

/** One error, without looking at its causes. */
function classifyOne(e: unknown): FailureKind | undefined {
  if (e instanceof NonRetriableError) return 'poison';
  if (e instanceof RemoteCallError) {
    if (UNAVAILABLE_STATUSES.has(e.remote.status)) return 'unavailable';
    if (REJECTING_STATUSES.has(e.remote.status)) return 'poison';
    return undefined;
  }
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as ErrorLike;
  const name = typeof err.name === 'string' ? err.name : '';
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';
  if (UNAVAILABLE_NAMES.has(name)) return 'unavailable';
  if (code && NETWORK_CODES.has(code)) return 'unavailable';
  if (code && /^[0-9A-Z]{5}$/.test(code) && postgresUnavailable(code)) return 'unavailable';
  if (name.startsWith('KafkaJS')) {
    return typeof err.type === 'string' && KAFKA_RECORD_ERRORS.has(err.type)
      ? 'poison'
      : 'unavailable';
  }
  // @elastic/transport ResponseError: overloaded or unavailable cluster
  const httpStatus = err.meta?.statusCode ?? err.statusCode;
  if (name === 'ResponseError' && [429, 502, 503, 504].includes(Number(httpStatus)))
    return 'unavailable';
  if (isCodedError(e)) {
    if (UNAVAILABLE_KINDS.has(e.kind)) return 'unavailable';
    if (REJECTING_KINDS.has(e.kind)) return 'poison';
    return undefined;
  }
  if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return 'unavailable';
  return undefined;
}

/** The error, then what it wraps: `driverError` (TypeORM), `cause`, AggregateError's `errors`. */
function* chain(e: unknown, depth = 0): Generator<unknown> {
  if (depth > 5 || e === undefined || e === null) return;
  yield e;
  if (typeof e !== 'object') return;
  const x = e as {
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
    originalError?: unknown;
  };
  if (x.driverError !== undefined) yield* chain(x.driverError, depth + 1);
  if (x.cause !== undefined) yield* chain(x.cause, depth + 1);
  if (x.originalError !== undefined) yield* chain(x.originalError, depth + 1);
  if (Array.isArray(x.errors)) for (const inner of x.errors) yield* chain(inner, depth + 1);
}

/** A NonRetriableError, or something wrapping one: the handler said retrying cannot help. */
export function isNonRetriable(err: unknown): boolean {
  return [...chain(err)].some((e) => e instanceof NonRetriableError);
}

/**
 * Classifies a handler's failure (a pure function). The service's own `classifiers` are asked
 * first. Then the error and everything it wraps: the first that is recognised decides, except
 * that an explicit NonRetriableError anywhere in the chain wins (the handler said so).
 */
export function classifyFailure(err: unknown, classifiers: FailureClassifier[] = []): FailureKind {
  for (const c of classifiers) {
    const kind = c(err);
    if (kind) return kind;
  }
  if (isNonRetriable(err)) return 'poison';
  for (const e of chain(err)) {
    const kind = classifyOne(e);
    if (kind) return kind;
  }
  return 'unknown';
}
