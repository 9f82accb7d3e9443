/** A risk rule was broken; `code` is stable for API users. */
export class RiskError extends Error {
  constructor(
    readonly kind: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION',
    readonly code: string,
    message: string,
    /** `field`: the request field at fault (e.g. `entries.3.value`), for the gateway's errors. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RiskError';
  }
}
