/** A marketing rule was broken; `code` is stable for API users. */
export class MarketingError extends Error {
  constructor(
    readonly kind:
      | 'INVALID_ARGUMENT'
      | 'NOT_FOUND'
      | 'FAILED_PRECONDITION'
      | 'ALREADY_EXISTS'
      | 'RESOURCE_EXHAUSTED'
      | 'UNAVAILABLE',
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'MarketingError';
  }
}
