import { DomainError } from '@emporia/domain';

/**
 * A review rule was broken; `code` is stable for API users (README "Error codes").
 * `details.field`: the request field at fault, for the gateway's errors.
 */
export class ReviewError extends DomainError<
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE'
> {}

export const invalid = (code: string, message: string, field: string) =>
  new ReviewError('INVALID_ARGUMENT', code, message, { field });
