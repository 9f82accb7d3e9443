import { DomainError } from '@emporia/domain';

export type UserErrorKind =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE';

/** A user-service rule was broken; `code` is stable for API users. */
export class UserError extends DomainError<UserErrorKind> {}
