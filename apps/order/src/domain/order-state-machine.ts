import { OrderError } from './order-error';

/**
 * Order states and the only moves between them. Everything else is ORDER_TRANSITION_INVALID:
 * a late or repeated signal is reported, never applied over a newer state.
 */
export const ORDER_STATUSES = [
  'PENDING_REVIEW',
  'PENDING_PAYMENT',
  'PAID',
  'FULFILLING',
  'SHIPPED',
  'DELIVERED',
  'COMPLETED',
  'CANCELLED',
  'REFUNDED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One of ORDER_STATUSES as written (upper case), or ORDER_STATUS_INVALID (INVALID_ARGUMENT). */
export function parseOrderStatus(value: string): OrderStatus {
  if ((ORDER_STATUSES as readonly string[]).includes(value)) return value as OrderStatus;
  throw new OrderError(
    'INVALID_ARGUMENT',
    'ORDER_STATUS_INVALID',
    `status is one of ${ORDER_STATUSES.join(', ')}, not '${value}'`,
    { field: 'status' },
  );
}

export type OrderEvent =
  | 'APPROVE'
  | 'REJECT'
  | 'PAY'
  | 'CANCEL'
  | 'START_FULFILMENT'
  | 'SHIP'
  | 'DELIVER'
  | 'COMPLETE'
  | 'REFUND_ALL';

const MOVES: Record<OrderEvent, Partial<Record<OrderStatus, OrderStatus>>> = {
  // risk review: held orders are approved into payment or rejected
  APPROVE: { PENDING_REVIEW: 'PENDING_PAYMENT' },
  REJECT: { PENDING_REVIEW: 'CANCELLED' },
  PAY: { PENDING_PAYMENT: 'PAID' },
  // by the customer, or when the payment deadline passes
  CANCEL: { PENDING_REVIEW: 'CANCELLED', PENDING_PAYMENT: 'CANCELLED' },
  START_FULFILMENT: { PAID: 'FULFILLING' },
  SHIP: { PAID: 'SHIPPED', FULFILLING: 'SHIPPED' },
  DELIVER: { SHIPPED: 'DELIVERED' },
  COMPLETE: { DELIVERED: 'COMPLETED' },
  REFUND_ALL: {
    PAID: 'REFUNDED',
    FULFILLING: 'REFUNDED',
    SHIPPED: 'REFUNDED',
    DELIVERED: 'REFUNDED',
    COMPLETED: 'REFUNDED',
  },
};

export function canMove(from: OrderStatus, event: OrderEvent): boolean {
  return MOVES[event][from] !== undefined;
}

/** The state after `event`, or ORDER_TRANSITION_INVALID (FAILED_PRECONDITION). */
export function nextStatus(from: OrderStatus, event: OrderEvent): OrderStatus {
  const to = MOVES[event][from];
  if (!to)
    throw new OrderError(
      'FAILED_PRECONDITION',
      'ORDER_TRANSITION_INVALID',
      `an order that is ${from} cannot ${event.toLowerCase().replace(/_/g, ' ')}`,
      { from, event },
    );
  return to;
}

export const isFinal = (s: OrderStatus) =>
  s === 'CANCELLED' || s === 'REFUNDED' || s === 'COMPLETED';
