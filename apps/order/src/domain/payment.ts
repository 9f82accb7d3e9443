import type { Money } from '@emporia/money';
import { OrderError } from './order-error';

/** The built-in sandbox provider's name (development and tests; off unless enabled). */
export const SANDBOX_PROVIDER = 'sandbox';

/** A payment provider's notification that a payment succeeded or failed. */
export interface PaymentCallback {
  provider: string;
  /** The provider's transaction id: a callback for one already seen is a replay. */
  providerTxnId: string;
  orderId: string;
  amountMinor: number;
  currency: string;
  status: 'SUCCEEDED' | 'FAILED';
  /** Unix seconds when the provider signed it. */
  timestamp: number;
}

/** The exact bytes a callback's signature covers: fields in a fixed order, '\n'-joined. */
export function canonicalCallback(c: PaymentCallback): string {
  return [
    c.provider,
    c.providerTxnId,
    c.orderId,
    String(c.amountMinor),
    c.currency,
    c.status,
    String(c.timestamp),
  ].join('\n');
}

/**
 * The canonical form is unambiguous only while no field contains its separator: a provider
 * name or transaction id with a line break (or any control character) is refused.
 */
export function checkCallbackFields(c: PaymentCallback): void {
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  const control = /[\u0000-\u001f\u007f]/;
  if ([c.provider, c.providerTxnId, c.orderId, c.currency, c.status].some((f) => control.test(f)))
    throw new OrderError(
      'INVALID_ARGUMENT',
      'PAYMENT_CALLBACK_INVALID',
      'callback fields must not contain control characters',
    );
}

export const CALLBACK_MAX_AGE_SECONDS = 600;

/** Refuses callbacks signed too long ago or in the future (beyond clock skew). */
export function checkCallbackFreshness(c: PaymentCallback, now: Date): void {
  const age = Math.floor(now.getTime() / 1000) - c.timestamp;
  if (!Number.isInteger(c.timestamp) || age > CALLBACK_MAX_AGE_SECONDS || age < -60)
    throw new OrderError(
      'UNAUTHENTICATED',
      'PAYMENT_CALLBACK_STALE',
      'the callback is too old or from the future',
    );
}

export type CallbackOutcome =
  /** The order is paid now. */
  | 'PAID'
  /** The same transaction was reported before: nothing changes. */
  | 'DUPLICATE'
  /** The provider reports a failure: the order stays payable until its deadline. */
  | 'FAILED'
  /** Money arrived for an order that can no longer be paid: it is refunded. */
  | 'REFUND_LATE_PAYMENT'
  /** The amount or currency differs from the order: recorded, not paid, investigated. */
  | 'AMOUNT_MISMATCH';

/** What a verified, fresh, first-seen callback does to an order. */
export function decideCallback(
  c: PaymentCallback,
  order: { status: string; total: Money },
): Exclude<CallbackOutcome, 'DUPLICATE'> {
  if (c.status === 'FAILED') return 'FAILED';
  if (c.amountMinor !== order.total.amountMinor || c.currency !== order.total.currency)
    return 'AMOUNT_MISMATCH';
  if (order.status === 'PENDING_PAYMENT') return 'PAID';
  return 'REFUND_LATE_PAYMENT';
}
