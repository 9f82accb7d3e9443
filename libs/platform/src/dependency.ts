/**
 * "A dependency did not answer" — a database, Redis, Elasticsearch, Kafka or another service that
 * is down, unreachable, overloaded or restarting — told apart from "the request is wrong" by the
 * error's shape only (a pure function). Shared by the gRPC exception filter (such a failure is
 * `UNAVAILABLE`, not `INTERNAL`), the gateway's problem mapping (503, not 500) and the consumers'
 * failure classification in libs/messaging (waited out, never dead-lettered).
 */

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
 * 55P03 lock not available: the transaction was rolled back, so running it again is safe).
 */
export function isPostgresUnavailableCode(code: string): boolean {
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
  // TypeORM: a Postgres restart ended the transaction's connection under it (found by the chaos
  // suite's Postgres restart: answered 502 before); the first from the query runner, the second
  // from a transaction's entity manager whose runner was released (502 in the chaos runs of
  // 2026-12-04, once in each of three Postgres restarts)
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

/** Kafka errors that are about a record, not the cluster: no retry makes them go through. */
export const KAFKA_RECORD_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
]);

type ErrorLike = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  type?: unknown;
  statusCode?: unknown;
  meta?: { statusCode?: unknown };
};

/**
 * One error, without looking at what it wraps: is it a dependency that did not answer? (Another
 * service's gRPC status is judged by whoever holds the RemoteCallError; coded domain errors are
 * never this.)
 */
export function isUnavailableError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as ErrorLike;
  const name = typeof err.name === 'string' ? err.name : '';
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';
  if (UNAVAILABLE_NAMES.has(name)) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  if (code && /^[0-9A-Z]{5}$/.test(code) && isPostgresUnavailableCode(code)) return true;
  if (name.startsWith('KafkaJS'))
    return !(typeof err.type === 'string' && KAFKA_RECORD_ERRORS.has(err.type));
  // @elastic/transport ResponseError: overloaded or unavailable cluster
  const httpStatus = err.meta?.statusCode ?? err.statusCode;
  if (name === 'ResponseError' && [429, 502, 503, 504].includes(Number(httpStatus))) return true;
  return UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

/** The error, then what it wraps: `driverError` (TypeORM), `cause`, AggregateError's `errors`. */
export function* errorChain(e: unknown, depth = 0): Generator<unknown> {
  if (depth > 5 || e === undefined || e === null) return;
  yield e;
  if (typeof e !== 'object') return;
  const x = e as {
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
    originalError?: unknown;
  };
  if (x.driverError !== undefined) yield* errorChain(x.driverError, depth + 1);
  if (x.cause !== undefined) yield* errorChain(x.cause, depth + 1);
  if (x.originalError !== undefined) yield* errorChain(x.originalError, depth + 1);
  if (Array.isArray(x.errors)) for (const inner of x.errors) yield* errorChain(inner, depth + 1);
}

/** The error or anything it wraps is a dependency that did not answer. */
export function isDependencyUnavailable(err: unknown): boolean {
  for (const e of errorChain(err)) if (isUnavailableError(e)) return true;
  return false;
}
