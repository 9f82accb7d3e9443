import { DomainError } from '@emporia/domain';

/**
 * A support rule was broken; `code` is stable for API users (the gateway maps it to
 * problem+json). `details.field`: the request field at fault, when there is one.
 */
export class SupportError extends DomainError<
  | 'INVALID_ARGUMENT'
  | 'ALREADY_EXISTS'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'ABORTED'
  | 'UNAVAILABLE'
> {}

export const invalid = (code: string, message: string, field?: string) =>
  new SupportError('INVALID_ARGUMENT', code, message, field ? { field } : undefined);

export const ticketNotFound = (id: string) =>
  new SupportError('NOT_FOUND', 'TICKET_NOT_FOUND', `ticket ${id} does not exist`);
