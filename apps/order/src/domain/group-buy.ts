import type { Money } from '@emporia/money';
import type { GroupStatus, Order, PricedCart } from './order';
import { amend, transition, type OrderChange } from './order-change';
import { OrderError } from './order-error';

/**
 * Group buying (拼团) as the order sees it. Marketing places a checkout in a group when it
 * prices the cart; the order then waits for the group: paid or not, its stock stays held (never
 * committed) and nothing ships while the group is PENDING. Marketing's `GroupBuySucceeded`
 * confirms it (a paid order then commits and ships); `GroupBuyFailed` cancels an unpaid order
 * and refunds a paid one in full. The first decision about an order is final.
 */

/** Why a failed group's orders are cancelled or refunded. */
export const GROUP_BUY_FAILED = 'GROUP_BUY_FAILED';

/** The longest stock hold the catalog grants (its MAX_RESERVATION_TTL_SECONDS). */
export const MAX_HOLD_MS = 7 * 86_400_000;

/** A group decision marketing made about an order, possibly before the order was placed. */
export interface GroupDecision {
  orderId: string;
  groupId: string;
  decision: Exclude<GroupStatus, 'PENDING'>;
  reason: string;
  decidedAt: Date;
}

/** The provider-side idempotency key of a failed group's refund: one refund per order. */
export const groupRefundId = (orderId: string) => `group-${orderId}`;

/** Whether the order's group lets it be fulfilled: no group, or a confirmed one. */
export function groupAllowsFulfilment(o: Pick<Order, 'groupStatus'>): boolean {
  return o.groupStatus === null || o.groupStatus === 'CONFIRMED';
}

/**
 * What the catalog should do with an order's stock reservation now: keep holding it (unpaid,
 * or paid but waiting for its group), commit it (paid and free to ship), or release it
 * (cancelled, or its group failed).
 */
export function reservationAction(
  o: Pick<Order, 'status' | 'groupStatus'>,
): 'HOLD' | 'COMMIT' | 'RELEASE' {
  if (o.status === 'CANCELLED' || o.groupStatus === 'FAILED') return 'RELEASE';
  if (o.status === 'PENDING_PAYMENT' || o.status === 'PENDING_REVIEW') return 'HOLD';
  if (o.groupStatus === 'PENDING') return 'HOLD';
  return 'COMMIT';
}

/**
 * How long checkout holds the stock: past the payment deadline by a margin, and for a group-buy
 * order at least until its group closes plus the same margin, so a paid order's units are still
 * there when the group's outcome arrives. Holds beyond the catalog's limit are refused.
 */
export function reservationHoldMs(input: {
  paymentTtlMs: number;
  marginMs: number;
  now: Date;
  groupDeadline?: Date;
}): number {
  const base = input.paymentTtlMs + input.marginMs;
  if (!input.groupDeadline) return base;
  const hold = Math.max(base, input.groupDeadline.getTime() - input.now.getTime() + input.marginMs);
  if (hold > MAX_HOLD_MS)
    throw new OrderError(
      'FAILED_PRECONDITION',
      'GROUP_DEADLINE_TOO_FAR',
      'the group closes later than stock can be held (7 days)',
      { groupDeadline: input.groupDeadline.toISOString() },
    );
  return hold;
}

const inconsistent = (message: string) =>
  new OrderError('FAILED_PRECONDITION', 'PRICING_INCONSISTENT', message);

/** A group-buy checkout must come back in a group with a deadline; any other never in one. */
export function checkGroupAnswer(groupRequested: boolean, priced: PricedCart): void {
  const inGroup = Boolean(priced.groupId);
  if (groupRequested && !inGroup)
    throw inconsistent('marketing did not place the group-buy checkout in a group');
  if (!groupRequested && inGroup)
    throw inconsistent('marketing placed a checkout that asked for no group deal in a group');
  if (inGroup && (!priced.groupDeadline || Number.isNaN(priced.groupDeadline.getTime())))
    throw inconsistent('marketing answered a group without its deadline');
}

/**
 * A group decision that arrived while the order was still being placed: a confirmed group
 * places it CONFIRMED; a failed one refuses the checkout (its stock and coupons are released).
 */
export function settleAtPlacement(order: Order, decided: GroupDecision | null): Order {
  if (!decided || !order.groupId || decided.groupId !== order.groupId) return order;
  if (decided.decision === 'FAILED')
    throw new OrderError(
      'FAILED_PRECONDITION',
      GROUP_BUY_FAILED,
      'the group this checkout joined has failed',
      { groupId: order.groupId, reason: decided.reason },
    );
  return { ...order, groupStatus: 'CONFIRMED' };
}

export type GroupOutcome =
  /** Nothing changes: already decided, or decided the other way first (a conflict). */
  | { changed: false; conflict: boolean }
  | (OrderChange & { changed: true; effect: 'NONE' | 'CANCEL' | 'REFUND' });

/** The group filled: the order is CONFIRMED (a paid one then commits its stock and ships). */
export function confirmGroup(o: Order, now: Date): GroupOutcome {
  if (o.groupStatus !== 'PENDING')
    return { changed: false, conflict: o.groupStatus !== 'CONFIRMED' };
  return { changed: true, ...amend(o, { groupStatus: 'CONFIRMED' }, now), effect: 'NONE' };
}

/**
 * The group failed: an unpaid order is cancelled (GROUP_BUY_FAILED, recording `OrderCancelled`
 * with the checkout's coupons), a paid one is marked for a full refund (`refundFailedGroup`
 * once the provider has returned the money).
 */
export function failGroup(o: Order, now: Date, couponCodes: string[]): GroupOutcome {
  if (o.groupStatus !== 'PENDING') return { changed: false, conflict: o.groupStatus !== 'FAILED' };
  if (o.status === 'PENDING_PAYMENT' || o.status === 'PENDING_REVIEW') {
    const cancelled = transition(o, 'CANCEL', { cancelReason: GROUP_BUY_FAILED, couponCodes }, now);
    // the group status is part of the same version (and of the order the event carries)
    const order: Order = { ...cancelled.order, groupStatus: 'FAILED' };
    return {
      changed: true,
      order,
      baseVersion: cancelled.baseVersion,
      events: cancelled.events.map((e) => ({ ...e, order })),
      effect: 'CANCEL',
    };
  }
  return {
    changed: true,
    ...amend(o, { groupStatus: 'FAILED' }, now),
    effect: o.status === 'PAID' ? 'REFUND' : 'NONE',
  };
}

/** Whether a failed group's paid order still has its refund to finish. */
export const refundDue = (o: Pick<Order, 'status' | 'groupStatus'>) =>
  o.status === 'PAID' && o.groupStatus === 'FAILED';

/**
 * The refund of a failed group's paid order went through: the order is REFUNDED, recording a
 * full `OrderRefunded`.
 */
export function refundFailedGroup(
  o: Order,
  now: Date,
  refund: { refundId: string; amount: Money },
): OrderChange {
  if (!refundDue(o))
    throw new OrderError(
      'FAILED_PRECONDITION',
      'ORDER_TRANSITION_INVALID',
      'only a paid order of a failed group is refunded for it',
      { status: o.status, groupStatus: o.groupStatus },
    );
  return transition(o, 'REFUND_ALL', { ...refund, cancelReason: GROUP_BUY_FAILED }, now);
}
