/**
 * Kinds of failure a domain can report. The platform maps each to a gRPC status
 * (`@emporia/platform` errors.ts); a domain only names the kind.
 */
export type ErrorKind =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/**
 * A rule of a service's domain was broken. Each service declares its own subclass with the
 * kinds it uses (`class OrderError extends DomainError<OrderErrorKind>`); `code` is stable and
 * documented for API users, `details` says what was at fault (e.g. `{ field }`).
 */
export abstract class DomainError<K extends ErrorKind = ErrorKind> extends Error {
  constructor(
    readonly kind: K,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
