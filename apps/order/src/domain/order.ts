import { Money } from '@emporia/money';
import { OrderError } from './order-error';
import { nextStatus, type OrderEvent, type OrderStatus } from './order-state-machine';

/** A priced line: list price, the discount allocated to it, and what the customer pays. */
export interface OrderLine {
  skuId: string;
  productId: string;
  title: string;
  quantity: number;
  unitPrice: Money;
  /** This line's share of every discount (needed for partial refunds). */
  discount: Money;
  total: Money;
}

export interface PricedCart {
  currency: string;
  lines: OrderLine[];
  subtotal: Money;
  discount: Money;
  shipping: Money;
  total: Money;
  /** Human-readable lines a frontend can show ("满300减50: −¥50.00"). */
  explanation: string[];
  /** The pricing source, e.g. `marketing` or `catalog-list-price`. */
  pricedBy: string;
  /** Group buying: the group marketing placed this order in, and when that group closes. */
  groupId?: string;
  groupDeadline?: Date;
}

/**
 * A group-buy order's wait for its group: PENDING until marketing reports the group filled
 * (CONFIRMED) or not (FAILED). See `group-buy.ts`.
 */
export type GroupStatus = 'PENDING' | 'CONFIRMED' | 'FAILED';

export type RiskDecision = 'ALLOW' | 'REVIEW' | 'REJECT';

export interface RiskVerdict {
  decision: RiskDecision;
  score: number;
  reasons: string[];
  /** Risk did not answer in time: the order is held for review instead of failing. */
  degraded: boolean;
}

export interface ShippingAddress {
  recipient: string;
  phone: string;
  country: string;
  province: string;
  city: string;
  district: string;
  line1: string;
  line2: string;
  postalCode: string;
  /** GB/T 2260 codes of a Chinese address (libs/domain checkAddress); absent on older orders. */
  provinceCode?: string;
  cityCode?: string;
  districtCode?: string;
}

export interface Order {
  id: string;
  accountId: string;
  status: OrderStatus;
  currency: string;
  lines: OrderLine[];
  subtotal: Money;
  discount: Money;
  shipping: Money;
  total: Money;
  address: ShippingAddress;
  risk: RiskVerdict;
  reservationId: string;
  paymentDeadline: Date;
  cancelReason: string | null;
  paidAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** Group-buy orders only (else both null). */
  groupId: string | null;
  groupStatus: GroupStatus | null;
  /** Where the order was placed: the checkout's channel, or an imported order's source. */
  channel: string;
}

const broken = (message: string) =>
  new OrderError('FAILED_PRECONDITION', 'PRICING_INCONSISTENT', message);

/** Checks a priced cart adds up exactly, in one currency, never below zero. */
export function checkPricing(p: PricedCart): void {
  if (p.lines.length === 0)
    throw new OrderError('INVALID_ARGUMENT', 'CART_EMPTY', 'the cart is empty');
  for (const l of p.lines) {
    if (!l.unitPrice.times(l.quantity).subtract(l.discount).equals(l.total))
      throw broken(`line ${l.skuId}: ${l.quantity} × ${l.unitPrice} − ${l.discount} ≠ ${l.total}`);
    if (l.total.isNegative() || l.discount.isNegative())
      throw broken(`line ${l.skuId} has a negative amount`);
  }
  const sum = (f: (l: OrderLine) => Money) => Money.sum(p.lines.map(f), p.currency);
  if (!sum((l) => l.unitPrice.times(l.quantity)).equals(p.subtotal))
    throw broken('the subtotal is not the sum of the lines');
  if (!sum((l) => l.discount).equals(p.discount))
    throw broken('the discount is not the sum of the lines’ shares');
  if (!p.subtotal.subtract(p.discount).add(p.shipping).equals(p.total))
    throw broken('total ≠ subtotal − discount + shipping');
  if (p.total.isNegative() || p.shipping.isNegative()) throw broken('a total is negative');
}

/**
 * A new order from a priced cart, a risk verdict and a stock reservation. Rejected orders are
 * never created; held ones (REVIEW) wait for an operator before payment.
 */
export function placeOrder(input: {
  id: string;
  accountId: string;
  priced: PricedCart;
  risk: RiskVerdict;
  reservationId: string;
  address: ShippingAddress;
  now: Date;
  paymentTtlMs: number;
  /** The checkout's channel ('' when the storefront named none). */
  channel?: string;
}): Order {
  checkPricing(input.priced);
  if (input.risk.decision === 'REJECT')
    throw new OrderError('PERMISSION_DENIED', 'ORDER_REJECTED', 'this order cannot be placed', {
      reasons: input.risk.reasons,
    });
  const p = input.priced;
  return {
    id: input.id,
    accountId: input.accountId,
    status: input.risk.decision === 'REVIEW' ? 'PENDING_REVIEW' : 'PENDING_PAYMENT',
    currency: p.currency,
    lines: p.lines,
    subtotal: p.subtotal,
    discount: p.discount,
    shipping: p.shipping,
    total: p.total,
    address: input.address,
    risk: input.risk,
    reservationId: input.reservationId,
    paymentDeadline: new Date(input.now.getTime() + input.paymentTtlMs),
    cancelReason: null,
    paidAt: null,
    createdAt: input.now,
    updatedAt: input.now,
    version: 1,
    groupId: p.groupId ?? null,
    groupStatus: p.groupId ? 'PENDING' : null,
    channel: input.channel ?? '',
  };
}

/** Applies a state-machine event; illegal moves throw ORDER_TRANSITION_INVALID. */
export function applyEvent(
  order: Order,
  event: OrderEvent,
  now: Date,
  extra: Partial<Pick<Order, 'cancelReason' | 'paidAt' | 'paymentDeadline'>> = {},
): Order {
  return {
    ...order,
    ...extra,
    status: nextStatus(order.status, event),
    updatedAt: now,
    version: order.version + 1,
  };
}

/** Whether an unpaid order's deadline has passed (it is then cancelled and its stock released). */
export function paymentOverdue(order: Order, now: Date): boolean {
  return (
    (order.status === 'PENDING_PAYMENT' || order.status === 'PENDING_REVIEW') &&
    order.paymentDeadline.getTime() <= now.getTime()
  );
}
