import { DomainError } from '@emporia/domain';

/**
 * A notification rule was broken; `code` is stable for API users (PREFERENCES_INVALID,
 * TEMPLATE_INVALID, DELIVERY_NOT_DEAD, ...). `details.field`: the request field at fault.
 */
export class NotificationError extends DomainError<
  'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'PERMISSION_DENIED' | 'UNAVAILABLE'
> {}

export const invalid = (code: string, message: string, field?: string) =>
  new NotificationError('INVALID_ARGUMENT', code, message, field ? { field } : undefined);

export const notFound = (code: string, message: string) =>
  new NotificationError('NOT_FOUND', code, message);
