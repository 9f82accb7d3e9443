import { DomainError } from '@emporia/domain';

/** A marketing rule was broken; `code` is stable for API users. */
export class MarketingError extends DomainError<
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'FAILED_PRECONDITION'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
> {}
