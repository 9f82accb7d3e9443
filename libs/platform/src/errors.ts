import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import type { ErrorKind } from '@emporia/domain';
import { isDependencyUnavailable } from './dependency';

/**
 * Kinds of failure (`@emporia/domain`), mapped 1:1 to gRPC status codes. Domain layers declare
 * their own error classes (subclasses of DomainError) with a stable `code` (e.g.
 * CATEGORY_NOT_FOUND) and one of these kinds; they never import this file, the shape is enough
 * (see `isCodedError`).
 */
export type { ErrorKind };

export interface CodedError {
  code: string;
  kind: ErrorKind;
  message: string;
  details?: Record<string, unknown>;
}

export function isCodedError(e: unknown): e is CodedError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as CodedError).code === 'string' &&
    typeof (e as CodedError).kind === 'string' &&
    (e as CodedError).kind in KIND_TO_GRPC
  );
}

/** A platform-level coded error, for adapters and interface code. */
export class AppError extends Error implements CodedError {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const KIND_TO_GRPC: Record<ErrorKind, GrpcStatus> = {
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  ABORTED: GrpcStatus.ABORTED,
  PERMISSION_DENIED: GrpcStatus.PERMISSION_DENIED,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** Metadata key carrying `{code, details}` as JSON next to the gRPC status. */
export const ERROR_METADATA_KEY = 'emporia-error';

export interface GrpcErrorPayload {
  code: GrpcStatus;
  details: string;
  message: string;
  metadata: Metadata;
}

/** The stable code of a failure because a dependency of the service did not answer. */
export const DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE';

/** Another service's statuses that mean it could not serve now (its outage is ours). */
const REMOTE_UNAVAILABLE = new Set<number>([
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
]);

/**
 * A failure because a dependency did not answer: Postgres, Redis, Elasticsearch or Kafka
 * unreachable, refusing, restarting or overloaded (see `isDependencyUnavailable`), or another
 * service's UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED left uncaught by a handler.
 */
export function isUnavailableFailure(e: unknown): boolean {
  const remote = (e as { remote?: { status?: unknown } } | null)?.remote;
  if (
    e instanceof Error &&
    e.name === 'RemoteCallError' &&
    typeof remote?.status === 'number' &&
    REMOTE_UNAVAILABLE.has(remote.status)
  )
    return true;
  return isDependencyUnavailable(e);
}

/**
 * Maps any thrown value to the error object grpc-js sends: status, message, error code. Coded
 * errors keep their kind; a dependency that did not answer is UNAVAILABLE `DEPENDENCY_UNAVAILABLE`
 * (the caller may retry); anything else is INTERNAL, saying nothing about internals.
 */
export function toGrpcError(e: unknown): GrpcErrorPayload {
  const r = toRemoteError(e);
  const metadata = new Metadata();
  metadata.set(ERROR_METADATA_KEY, JSON.stringify({ code: r.code, details: r.details }));
  return { code: r.status, details: r.message, message: r.message, metadata };
}

/**
 * What a caller sees of a thrown value (`fromGrpcError` of `toGrpcError`), as a value: for an
 * answer that carries one item's failure among others' results (TryFlashPurchases).
 */
export function toRemoteError(e: unknown): RemoteError {
  if (isCodedError(e))
    return {
      status: KIND_TO_GRPC[e.kind],
      code: e.code,
      message: e.message,
      details: e.details ?? {},
    };
  if (isUnavailableFailure(e))
    return {
      status: GrpcStatus.UNAVAILABLE,
      code: DEPENDENCY_UNAVAILABLE,
      message: 'a dependency of the service is unavailable; retry shortly',
      details: {},
    };
  return { status: GrpcStatus.INTERNAL, code: 'INTERNAL', message: 'internal error', details: {} };
}

/** What a gRPC client saw: status plus the stable code from metadata when present. */
export interface RemoteError {
  status: GrpcStatus;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export function fromGrpcError(e: unknown): RemoteError {
  const err = e as { code?: number; details?: string; message?: string; metadata?: Metadata };
  const status = typeof err?.code === 'number' ? (err.code as GrpcStatus) : GrpcStatus.UNKNOWN;
  let code = GrpcStatus[status] ?? 'UNKNOWN';
  let details: Record<string, unknown> = {};
  const raw = err?.metadata?.get?.(ERROR_METADATA_KEY)?.[0];
  if (typeof raw === 'string') {
    try {
      const parsed = JSON.parse(raw) as { code?: string; details?: Record<string, unknown> };
      code = parsed.code ?? code;
      details = parsed.details ?? {};
    } catch {
      // keep the status name as the code
    }
  }
  return { status, code, message: err?.details ?? err?.message ?? 'error', details };
}
