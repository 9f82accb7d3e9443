import type { Money } from '@emporia/money';
import { applyEvent, type Order } from './order';
import { OrderError } from './order-error';
import type { OrderEvent } from './order-state-machine';
import type { Shipment, TrackingEvent } from './shipment';

/**
 * What happened to an order, recorded with the change that made it happen: the repository
 * persists the change and appends these to the outbox in the same transaction. Each carries the
 * order as it was right after the change.
 */
export type OrderDomainEvent =
  | { type: 'placed'; order: Order; couponCodes: string[] }
  | { type: 'paid'; order: Order }
  | { type: 'cancelled'; order: Order; couponCodes: string[] }
  | { type: 'shipped'; order: Order; shipment: Shipment }
  | { type: 'tracked'; order: Order; shipment: Shipment; event: TrackingEvent }
  | { type: 'refunded'; order: Order; refundId: string; amount: Money; full: boolean };

/**
 * A change of one order, to be saved as one: the order after it, the version it was made from
 * (null: a new order, inserted) and the events it recorded, in order.
 */
export interface OrderChange {
  readonly order: Order;
  readonly baseVersion: number | null;
  readonly events: readonly OrderDomainEvent[];
}

/** What each move needs to know, beyond the time: the facts its event carries. */
export interface MoveDetails {
  APPROVE: { paymentDeadline: Date };
  REJECT: { cancelReason: string; couponCodes: string[] };
  PAY: { paidAt: Date };
  CANCEL: { cancelReason: string; couponCodes: string[] };
  START_FULFILMENT: Record<string, never>;
  SHIP: Record<string, never>;
  DELIVER: Record<string, never>;
  COMPLETE: Record<string, never>;
  REFUND_ALL: { refundId: string; amount: Money; cancelReason?: string };
}

/** The one ORDER_CHANGED error: the order was saved by someone else since it was read. */
export const orderChanged = (details?: Record<string, unknown>) =>
  new OrderError('ABORTED', 'ORDER_CHANGED', 'the order changed meanwhile; try again', details);

const asChange = (o: Order | OrderChange): OrderChange =>
  'events' in o && 'baseVersion' in o ? o : { order: o, baseVersion: o.version, events: [] };

/** A new order, recording `OrderPlaced` (with the coupons its checkout used). */
export function placed(order: Order, couponCodes: string[]): OrderChange {
  return { order, baseVersion: null, events: [{ type: 'placed', order, couponCodes }] };
}

/**
 * The order's one way to change state: applies `move` through the state machine (an illegal
 * move throws ORDER_TRANSITION_INVALID), refuses a stale order (`expectedVersion`, when the
 * caller read it earlier: ORDER_CHANGED) and records the move's event — `OrderPaid` for PAY,
 * `OrderCancelled` for CANCEL and REJECT, `OrderRefunded` (full) for REFUND_ALL; the other moves
 * raise none. Chains onto an earlier change of the same order (its events come first).
 */
export function transition<M extends OrderEvent>(
  from: Order | OrderChange,
  move: M,
  details: MoveDetails[M],
  now: Date,
  expectedVersion?: number,
): OrderChange {
  const before = asChange(from);
  const o = before.order;
  if (expectedVersion !== undefined && o.version !== expectedVersion)
    throw orderChanged({ expectedVersion, version: o.version });
  const d = details as Partial<MoveDetails[OrderEvent]> & {
    paymentDeadline?: Date;
    cancelReason?: string;
    paidAt?: Date;
    couponCodes?: string[];
    refundId?: string;
    amount?: Money;
  };
  const order = applyEvent(o, move, now, {
    ...(d.paymentDeadline ? { paymentDeadline: d.paymentDeadline } : {}),
    ...(d.cancelReason !== undefined ? { cancelReason: d.cancelReason } : {}),
    ...(d.paidAt ? { paidAt: d.paidAt } : {}),
  });
  const event: OrderDomainEvent | null =
    move === 'PAY'
      ? { type: 'paid', order }
      : move === 'CANCEL' || move === 'REJECT'
        ? { type: 'cancelled', order, couponCodes: d.couponCodes ?? [] }
        : move === 'REFUND_ALL'
          ? { type: 'refunded', order, refundId: d.refundId!, amount: d.amount!, full: true }
          : null;
  return {
    order,
    baseVersion: before.baseVersion,
    events: event ? [...before.events, event] : before.events,
  };
}

/** A change of the order's own facts without a state move (no event), e.g. its group status. */
export function amend(
  from: Order | OrderChange,
  patch: Partial<Pick<Order, 'groupStatus'>>,
  now: Date,
): OrderChange {
  const before = asChange(from);
  const order = {
    ...before.order,
    ...patch,
    updatedAt: now,
    version: before.order.version + 1,
  };
  return { ...before, order };
}

type Noted =
  | { type: 'shipped'; shipment: Shipment }
  | { type: 'tracked'; shipment: Shipment; event: TrackingEvent }
  | { type: 'refunded'; refundId: string; amount: Money; full: false };

/**
 * An event about the order that moves no state (a shipment handed over or tracked, part of the
 * order refunded); saved with the order's version checked.
 */
export function note(from: Order | OrderChange, e: Noted): OrderChange {
  const before = asChange(from);
  return {
    ...before,
    events: [...before.events, { ...e, order: before.order } as OrderDomainEvent],
  };
}
