import { DomainError } from '@emporia/domain';

/**
 * A risk rule was broken; `code` is stable for API users. `details.field`: the request field at
 * fault (e.g. `entries.3.value`), for the gateway's errors.
 */
export class RiskError extends DomainError<
  'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION'
> {}
