import { DomainError } from '@emporia/domain';

export type OrderErrorKind =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE';

/** An order-service rule was broken; `code` is stable for API users. */
export class OrderError extends DomainError<OrderErrorKind> {}
