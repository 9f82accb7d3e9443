/**
 * Facts: what analytics keeps of each event it consumes, decoded and checked. The consumers
 * turn Kafka events into facts (interface/), the fact sink stores each fact once with every
 * projection's effect in the same transaction (infrastructure/), and the figures are read from
 * the projections' rollups.
 */
import type { Money } from '@emporia/money';

/** The behaviour event types the collector accepts. */
export const BEHAVIOUR_TYPES = [
  'page_view',
  'product_view',
  'search',
  'add_to_cart',
  'remove_from_cart',
  'checkout_started',
  'banner_click',
  'experiment_exposure',
] as const;
export type BehaviourType = (typeof BEHAVIOUR_TYPES)[number];

export interface Utm {
  source: string;
  medium: string;
  campaign: string;
  term: string;
  content: string;
}

export interface BehaviourFact {
  kind: 'behaviour';
  eventId: string;
  type: BehaviourType;
  anonymousId: string;
  /** '' for a visitor not signed in. */
  accountId: string;
  sessionId: string;
  /** The client's time, or the receive time when the client's is implausible (see `eventTime`). */
  occurredAt: Date;
  receivedAt: Date;
  /** The local date of `occurredAt` in the shop's time zone: the partition and rollup day. */
  day: string;
  channel: string;
  utm: Utm;
  referrer: string;
  device: { type: string; os: string; browser: string };
  page: string;
  productId: string;
  skuId: string;
  quantity: number;
  query: string;
  resultCount: number;
  bannerId: string;
  experimentKey: string;
  variant: string;
}

export interface LineFact {
  skuId: string;
  productId: string;
  quantity: number;
  unitPrice: Money;
  total: Money;
}

export interface OrderPlacedFact {
  kind: 'order_placed';
  eventId: string;
  orderId: string;
  accountId: string;
  placedAt: Date;
  day: string;
  channel: string;
  status: string;
  total: Money;
  lines: LineFact[];
  couponCodes: string[];
}

export interface OrderPaidFact {
  kind: 'order_paid';
  eventId: string;
  orderId: string;
  accountId: string;
  paidAt: Date;
  day: string;
  amountPaid: Money;
}

export interface OrderCancelledFact {
  kind: 'order_cancelled';
  eventId: string;
  orderId: string;
  accountId: string;
  cancelledAt: Date;
  day: string;
  reason: string;
}

export interface OrderRefundedFact {
  kind: 'order_refunded';
  eventId: string;
  orderId: string;
  accountId: string;
  refundId: string;
  refundedAt: Date;
  day: string;
  amount: Money;
  full: boolean;
}

export interface CartChangedFact {
  kind: 'cart_changed';
  eventId: string;
  accountId: string;
  changedAt: Date;
  day: string;
  /** unitPrice null: order could not price the line when the cart changed (catalog away). */
  lines: { skuId: string; productId: string; quantity: number; unitPrice: Money | null }[];
  subtotal: Money | null;
  cause: string;
}

/** A product's SKUs as catalog last described them (every catalog.product event carries them). */
export interface ProductSnapshotFact {
  kind: 'product_snapshot';
  eventId: string;
  productId: string;
  categoryId: string;
  categoryPathIds: string[];
  status: string;
  skus: { skuId: string; price: Money; onHand: number; unitsSold: number }[];
  at: Date;
  day: string;
  /** Set for ProductStockChanged: the movement itself. */
  stockMovement: { skuId: string; delta: number; reason: string } | null;
}

export interface AccountRegisteredFact {
  kind: 'account_registered';
  eventId: string;
  accountId: string;
  registeredAt: Date;
  day: string;
}

export interface AccountDeletedFact {
  kind: 'account_deleted';
  eventId: string;
  accountId: string;
  deletedAt: Date;
  day: string;
}

export type Fact =
  | BehaviourFact
  | OrderPlacedFact
  | OrderPaidFact
  | OrderCancelledFact
  | OrderRefundedFact
  | CartChangedFact
  | ProductSnapshotFact
  | AccountRegisteredFact
  | AccountDeletedFact;

export type FactKind = Fact['kind'];

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function dayOf(at: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/**
 * The time a behaviour event is filed under. A client's clock may be wrong: a time after the
 * receive time (beyond `skewMs`) or older than `maxLateMs` is replaced by the receive time.
 * Late events within the window keep their own time and land on their own day.
 */
export function eventTime(
  clientTime: Date | null,
  receivedAt: Date,
  opts: { skewMs: number; maxLateMs: number },
): Date {
  if (!clientTime || Number.isNaN(clientTime.getTime())) return receivedAt;
  const ahead = clientTime.getTime() - receivedAt.getTime();
  if (ahead > opts.skewMs) return receivedAt;
  if (-ahead > opts.maxLateMs) return receivedAt;
  return clientTime;
}

/** A fact before the event id it came with is attached. */
export type FactData = Fact extends infer F ? (F extends Fact ? Omit<F, 'eventId'> : never) : never;
