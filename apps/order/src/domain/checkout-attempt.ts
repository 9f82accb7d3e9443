/**
 * A checkout key's record and its attempts. One attempt at a time owns a STARTED record: it
 * holds a lease, renewed by a heartbeat while it runs. A retry with the same key that finds the
 * lease run out (the attempt's process died, or it could not finish its compensation) takes the
 * record over; one that finds it alive is told the checkout is still running.
 */
export type CheckoutStatus =
  /** An attempt owns the record (its lease) and runs the saga. */
  | 'STARTED'
  /** The order exists: every retry returns it. */
  | 'PLACED'
  /** A final refusal (stock, risk, an empty cart...): every retry gets the same. */
  | 'FAILED'
  /**
   * Nothing is held any more (compensated after a passing failure, or swept after the attempt
   * died): a retry with the same request runs the saga again.
   */
  | 'ABANDONED';

/** What a checkout record says about its attempts. */
export interface CheckoutAttemptState {
  accountId: string;
  requestHash: string;
  status: CheckoutStatus;
  errorCode: string | null;
  errorMessage: string | null;
  /** The last sign of life of the attempt owning a STARTED record. */
  heartbeatAt: Date;
}

export type RetryDecision =
  /** The key was used for another checkout (another account or another request). */
  | { kind: 'REUSED' }
  /** Return the order. */
  | { kind: 'PLACED' }
  /** The same refusal again. */
  | { kind: 'FAILED'; code: string; message: string }
  /** A live attempt runs it: try again in about `retryAfterMs`. */
  | { kind: 'IN_PROGRESS'; retryAfterMs: number }
  /**
   * Nobody runs it (the lease ran out) or it was abandoned: this attempt takes the record over,
   * releases what the previous attempt may still hold and runs the saga again.
   */
  | { kind: 'TAKE_OVER' };

/** Whether the attempt owning a record is presumed dead: no heartbeat for a whole lease. */
export function leaseExpired(heartbeatAt: Date, now: Date, leaseMs: number): boolean {
  return now.getTime() - heartbeatAt.getTime() >= leaseMs;
}

/** What a repeated checkout key means now. */
export function decideRetry(
  record: CheckoutAttemptState,
  request: { accountId: string; requestHash: string },
  now: Date,
  leaseMs: number,
): RetryDecision {
  if (record.accountId !== request.accountId || record.requestHash !== request.requestHash)
    return { kind: 'REUSED' };
  switch (record.status) {
    case 'PLACED':
      return { kind: 'PLACED' };
    case 'FAILED':
      return {
        kind: 'FAILED',
        code: record.errorCode ?? 'CHECKOUT_FAILED',
        message: record.errorMessage ?? 'this checkout failed',
      };
    case 'ABANDONED':
      return { kind: 'TAKE_OVER' };
    case 'STARTED':
      return leaseExpired(record.heartbeatAt, now, leaseMs)
        ? { kind: 'TAKE_OVER' }
        : {
            kind: 'IN_PROGRESS',
            retryAfterMs: Math.max(0, record.heartbeatAt.getTime() + leaseMs - now.getTime()),
          };
  }
}
