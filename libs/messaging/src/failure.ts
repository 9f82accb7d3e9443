import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  errorChain,
  isCodedError,
  isUnavailableError,
  KAFKA_RECORD_ERRORS,
  RemoteCallError,
  type ErrorKind,
} from '@emporia/platform';
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

type ErrorLike = { name?: unknown; type?: unknown };

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
  // a Kafka error about the record itself: no retry makes it go through
  if (
    typeof err.name === 'string' &&
    err.name.startsWith('KafkaJS') &&
    typeof err.type === 'string' &&
    KAFKA_RECORD_ERRORS.has(err.type)
  )
    return 'poison';
  if (isCodedError(e)) {
    if (UNAVAILABLE_KINDS.has(e.kind)) return 'unavailable';
    if (REJECTING_KINDS.has(e.kind)) return 'poison';
    return undefined;
  }
  // sockets, Postgres SQLSTATEs, ioredis, Elasticsearch, Kafka: shared with the gRPC error mapping
  if (isUnavailableError(e)) return 'unavailable';
  return undefined;
}

/** A NonRetriableError, or something wrapping one: the handler said retrying cannot help. */
export function isNonRetriable(err: unknown): boolean {
  return [...errorChain(err)].some((e) => e instanceof NonRetriableError);
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
  for (const e of errorChain(err)) {
    const kind = classifyOne(e);
    if (kind) return kind;
  }
  return 'unknown';
}
