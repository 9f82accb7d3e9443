/** A risk rule was broken; `code` is stable for API users. */
export class RiskError extends Error {
  constructor(
    readonly kind: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION',
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RiskError';
  }
}
