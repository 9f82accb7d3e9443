import type { Money } from '@emporia/money';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { Cart, CartLine, CartSnapshot } from '../domain/cart';
import type { CheckoutStatus } from '../domain/checkout-attempt';
import type { GroupDecision } from '../domain/group-buy';
import type { Order, PricedCart, RiskVerdict, ShippingAddress } from '../domain/order';
import type { OrderChange, OrderDomainEvent } from '../domain/order-change';
import type { OrderStatus } from '../domain/order-state-machine';
import type { PaymentCallback } from '../domain/payment';
import type { Shipment } from '../domain/shipment';
import type { StepUpPolicy } from '../domain/step-up';
import type {
  ReturnChange,
  ReturnDomainEvent,
  ReturnRequest,
  ReturnSettled,
} from '../domain/returns';

/** What order needs to know about a SKU, from the catalog. */
export interface SkuInfo {
  skuId: string;
  productId: string;
  title: string;
  categoryPathIds: string[];
  unitPrice: Money;
  /** Only SKUs of active products can be ordered. */
  orderable: boolean;
  /** Units available per warehouse (for routing). */
  stock: { warehouseCode: string; available: number }[];
}

/** A warehouse as routing sees it. */
export interface WarehouseInfo {
  code: string;
  country: string;
  province: string;
  city: string;
  shippingCost: Money;
  active: boolean;
}

/** The catalog over gRPC: SKU facts and stock reservations (all lines or none). */
export interface CatalogPort {
  skus(ctx: RequestContext, skuIds: string[]): Promise<Map<string, SkuInfo>>;
  /** Registered warehouses (all pages). */
  warehouses(ctx: RequestContext): Promise<WarehouseInfo[]>;
  /**
   * Idempotent by id; throws OrderError STOCK_INSUFFICIENT when any line is short. A line with a
   * warehouse code is held there; without one, wherever the catalog finds stock.
   */
  reserve(
    ctx: RequestContext,
    reservationId: string,
    lines: (CartLine & { warehouseCode?: string })[],
    ttlSeconds: number,
  ): Promise<void>;
  /** Idempotent; answers where the committed reservation's units came from (for shipments). */
  commit(
    ctx: RequestContext,
    reservationId: string,
  ): Promise<{ skuId: string; warehouseCode: string; quantity: number }[]>;
  /** Idempotent; a reservation that never existed is fine. */
  release(ctx: RequestContext, reservationId: string, reason: string): Promise<void>;
  /** Puts returned units back into on-hand stock. */
  restock(
    ctx: RequestContext,
    skuId: string,
    warehouseCode: string,
    quantity: number,
    reason: string,
  ): Promise<void>;
  /** Where a reservation's units came from (for shipments). */
  reservationLines(
    ctx: RequestContext,
    reservationId: string,
  ): Promise<{ skuId: string; warehouseCode: string; quantity: number }[]>;
}

/** Checks a carrier's webhook signature (constant time). */
export interface CarrierWebhookVerifier {
  /** True when one of the hex signatures is the HMAC of `content`. */
  verify(content: Uint8Array, signatures: string[]): boolean;
}

/** Carrier tracking webhooks: off without a verifier (no CARRIER_WEBHOOK_SECRET). */
export interface CarrierWebhooks {
  verifier?: CarrierWebhookVerifier;
  /** Events signed longer ago than this are refused. */
  maxAgeSeconds: number;
}

export interface PricingInput {
  /** The order the checkout will create; coupons are reserved under it. */
  orderId: string;
  accountId: string;
  lines: { sku: SkuInfo; quantity: number }[];
  couponCodes: string[];
  channel: string;
  /** A flash-sale winner's purchase token ('' for none). */
  flashToken: string;
  /** Group buying: the deal, and the group to join ('' opens a new one); '' for none. */
  groupDealId: string;
  groupId: string;
}

/** Marketing's PriceCart, or list prices when marketing is not deployed. */
export interface PricingPort {
  price(ctx: RequestContext, input: PricingInput): Promise<PricedCart>;
  /** Compensation: returns the coupons a failed checkout reserved. Idempotent. */
  releaseCoupons(ctx: RequestContext, orderId: string, reason: string): Promise<void>;
}

export interface RiskInput {
  orderId: string;
  accountId: string;
  ip: string;
  deviceId: string;
  address: ShippingAddress;
  /** Doubts about the address (domain `checkShippingAddress`), for risk's ADDRESS_QUALITY rules. */
  addressIssues: string[];
  total: Money;
  lineCount: number;
  couponCodes: string[];
}

/** Risk scoring with a bounded wait: no answer in time means REVIEW (degraded), never a failure. */
export interface RiskPort {
  scoreOrder(ctx: RequestContext, input: RiskInput): Promise<RiskVerdict>;
}

/** What checkout needs to know about an account, from the user service. */
export interface AccountsPort {
  /** Whether the account is frozen (a frozen account cannot check out). */
  isFrozen(ctx: RequestContext, accountId: string): Promise<boolean>;
  /** An entry of the account's address book; null when it has none with that id. */
  address(
    ctx: RequestContext,
    accountId: string,
    addressId: string,
  ): Promise<AddressBookEntry | null>;
}

/** An address-book entry as checkout reads it: the address, and when it was saved (null: unknown). */
export interface AddressBookEntry {
  address: ShippingAddress;
  createdAt: Date | null;
}

/** A payment provider: the built-in sandbox, or Alipay / WeChat Pay / Stripe adapters. */
export interface PaymentProvider {
  readonly name: string;
  /**
   * Where to send the customer to pay `amount` for the order. Idempotent per `paymentId` (the
   * provider's idempotency key or merchant reference): asked again for the same payment — its
   * page was not recorded because the first call failed or its process died — it answers the
   * same page and never opens a second charge.
   */
  startPayment(input: { paymentId: string; orderId: string; amount: Money }): Promise<{
    redirectUrl: string;
  }>;
  /**
   * True when `startPayment` computes the page in this process (no network call, nothing that
   * waits): it is then asked before the attempt is written, and the page is written with the
   * attempt in one transaction. A provider asked over the network is asked after that
   * transaction commits (never while it holds locks).
   */
  readonly startsInProcess?: boolean;
  /** Checks the provider's signature over the callback (constant time). */
  verify(callback: PaymentCallback, signature: string): boolean;
  /**
   * Returns money of a captured transaction (late or duplicate payments, refunds). `refundId`
   * is the provider-side idempotency key: repeating a refund with it refunds once.
   */
  refund(input: {
    providerTxnId: string;
    amount: Money;
    reason: string;
    refundId: string;
  }): Promise<void>;
  /** Sandbox only: signs a callback as the provider would (hosted-page simulation). */
  signAsProvider?(callback: PaymentCallback): string;
}

export interface CheckoutRecord {
  key: string;
  accountId: string;
  orderId: string;
  /**
   * One per attempt: an attempt that takes the record over (or retries after a passing failure)
   * releases the previous one and reserves afresh.
   */
  reservationId: string;
  requestHash: string;
  status: CheckoutStatus;
  errorCode: string | null;
  errorMessage: string | null;
  couponCodes: string[];
  createdAt: Date;
  /** The attempt owning the record (its lease) while STARTED. */
  attemptId: string;
  /** That attempt's last heartbeat. */
  heartbeatAt: Date;
  /** How many attempts ran it (1 for the first). */
  attempts: number;
}

/**
 * A payment: an attempt to pay (STARTED, no provider transaction: open until the provider
 * reports it failed) or a provider transaction reported by a callback.
 */
export interface PaymentRecord {
  id: string;
  orderId: string;
  provider: string;
  providerTxnId: string | null;
  amount: Money;
  status: 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'REFUNDED' | 'MISMATCH';
  createdAt: Date;
  /** The provider's page for an attempt, once the provider gave it. */
  redirectUrl?: string | null;
}

/** Which orders a listing shows: an account's or every account's (null), of a status or any. */
export interface OrderListFilter {
  accountId: string | null;
  status: OrderStatus | null;
}

/** Where a page of orders ends: the last order's creation time and id. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

export interface OrderRepository {
  find(id: string): Promise<Order | null>;
  findForUpdate(id: string): Promise<Order | null>;
  /**
   * Inserts a new order (`baseVersion` null) and appends the events it recorded to the outbox,
   * in the caller's transaction. `reservationSynced: false` leaves the catalog commit to do
   * (imported, already-paid orders).
   */
  add(change: OrderChange, explanation: string[], reservationSynced?: boolean): Promise<void>;
  /** The order an external marketplace order was imported as. */
  findImport(source: string, externalId: string): Promise<string | null>;
  /** Records an import; false when that external order was imported already. */
  insertImport(source: string, externalId: string, orderId: string, now: Date): Promise<boolean>;
  /**
   * Saves a change made from `baseVersion` and appends the events it recorded to the outbox, in
   * the caller's transaction; ORDER_CHANGED when the stored order is no longer at that version.
   */
  save(change: OrderChange): Promise<void>;
  /**
   * Orders newest first (`created_at`, then id, both descending), after the cursor's order:
   * one account's, or every account's when `accountId` is null; of one status or any.
   */
  list(filter: OrderListFilter, limit: number, after: OrderCursor | null): Promise<Order[]>;
  explanation(id: string): Promise<string[]>;
  /** Unpaid orders past their deadline, oldest first. */
  overdue(now: Date, limit: number): Promise<string[]>;
  /** Orders whose stock reservation still has to be committed or released in the catalog. */
  reservationsToSync(
    limit: number,
  ): Promise<{ orderId: string; reservationId: string; action: 'COMMIT' | 'RELEASE' }[]>;
  /** Marks the reservation synced; returns the order as it is now, row-locked (null: unknown). */
  markReservationSynced(orderId: string): Promise<Order | null>;
  /** Paid orders of failed groups whose refund is unfinished, untouched since `olderThan`. */
  groupRefundsDue(limit: number, olderThan: Date): Promise<string[]>;
}

/** Group decisions about orders not placed yet when marketing's event arrived. */
export interface GroupDecisionRepository {
  /** Records the first decision about an order; false when one was recorded already. */
  record(d: GroupDecision): Promise<boolean>;
  find(orderId: string): Promise<GroupDecision | null>;
}

/** Guest tokens the service issued, by the SHA-256 of the token (the token is never stored). */
export interface GuestTokenRepository {
  insert(key: string, now: Date): Promise<void>;
  /**
   * Marks a token used now (`carted`: it has a cart from now on); false when it was never
   * issued, was used up by a merge, or was last used before `usedAfter` (expired).
   */
  touch(key: string, now: Date, usedAfter: Date, carted: boolean): Promise<boolean>;
  remove(key: string): Promise<void>;
  /**
   * Deletes up to `limit` expired tokens with their carts: unused since `idleBefore`, or since
   * `unusedBefore` when they never got a cart; and guest carts whose token is gone, untouched
   * since `idleBefore`. Returns how many tokens and carts went.
   */
  expire(idleBefore: Date, unusedBefore: Date, limit: number): Promise<number>;
}

export interface CartRepository {
  find(owner: Cart['owner']): Promise<Cart | null>;
  /** Locks (creating if needed) the owner's cart for the transaction. */
  lock(owner: Cart['owner'], newId: string, now: Date): Promise<Cart>;
  save(cart: Cart): Promise<void>;
  remove(cartId: string): Promise<void>;
}

/** What `CheckoutRepository.create` made: the record, with the account's cart (null: none). */
export interface CheckoutCreated {
  record: CheckoutRecord;
  cart: Cart | null;
}

export interface CheckoutRepository {
  /**
   * Inserts a new record and reads the account's cart with it, in one statement (atomic by
   * itself: `UnitOfWork.statement` runs it without a transaction). Null when the key has a record
   * already: nothing is written, and the stored record is neither read nor locked (`lock` does).
   */
  create(record: Omit<CheckoutRecord, 'attempts'>): Promise<CheckoutCreated | null>;
  /** The record, row-locked. */
  lock(key: string): Promise<CheckoutRecord | null>;
  /**
   * A new attempt takes the record over (call with its row lock held): it is STARTED again,
   * owned by `attemptId` with a fresh heartbeat and its own reservation id.
   */
  takeOver(
    key: string,
    attempt: { attemptId: string; reservationId: string; now: Date },
  ): Promise<CheckoutRecord>;
  /** Renews the lease of the attempt owning a STARTED record; false when it owns it no more. */
  heartbeat(key: string, attemptId: string, now: Date): Promise<boolean>;
  /**
   * Gives up the lease of an attempt that ends without settling the record (its compensation
   * failed), so that a retry can take it over at once: its heartbeat is set back to `expiredAt`
   * (a lease ago, so the sweep still waits its full delay).
   */
  releaseLease(key: string, attemptId: string, expiredAt: Date): Promise<void>;
  finish(
    key: string,
    status: 'PLACED' | 'FAILED' | 'ABANDONED',
    error?: { code: string; message: string },
  ): Promise<void>;
  /**
   * The checkout's last step, in one statement: the record becomes PLACED if attempt `attemptId`
   * still owns it (STARTED, its attempt), and only then the account's cart is locked (created
   * empty, as `cart.newId`, if it has none), in that order; both rows stay locked until the
   * commit. Answers the cart as it is now: its latest committed lines, even lines committed while
   * the statement waited for its lock (`CartRepository.lock`). Null when the attempt owns the
   * record no more: nothing changed, no cart touched.
   */
  markPlacedAndLockCart(
    key: string,
    attemptId: string,
    cart: { accountId: string; newId: string; now: Date },
  ): Promise<Cart | null>;
  /** STARTED checkouts whose attempt has given no sign of life since before `olderThan`. */
  stale(olderThan: Date, limit: number): Promise<CheckoutRecord[]>;
}

/** An attempt `openAttemptOnOrder` makes: its id, the order, who pays, with which provider, when. */
export interface AttemptOnOrder {
  id: string;
  orderId: string;
  accountId: string;
  provider: string;
  createdAt: Date;
}

export interface PaymentRepository {
  /**
   * The order's open attempt with this provider, made now unless there is one (one open attempt
   * per order and provider, also between concurrent callers). A `redirectUrl` given is written
   * with a new attempt; an open attempt found keeps its own.
   */
  openAttempt(p: PaymentRecord): Promise<PaymentRecord>;
  /**
   * The order (null: unknown) and, read with it in one statement, an attempt made now with the
   * provider for the order's total (STARTED, no page yet) — only when the order is `accountId`'s
   * and PENDING_PAYMENT and has no open attempt with the provider; `made` is null otherwise (an
   * open attempt is then found with `openAttempt`).
   */
  openAttemptOnOrder(
    p: AttemptOnOrder,
  ): Promise<{ order: Order | null; made: PaymentRecord | null }>;
  /** Writes the page of an attempt made in this transaction (no page yet), with its commit. */
  recordPage(id: string, redirectUrl: string): Promise<void>;
  /**
   * A payment with its order, read in one statement that row-locks the order (as
   * `OrderRepository.findForUpdate`), when the order is `accountId`'s (compared as text, as the
   * caller compares it). Null for an unknown payment and for another account's: nothing locked.
   */
  findWithOrderForUpdate(
    id: string,
    accountId: string,
  ): Promise<{ payment: PaymentRecord; order: Order } | null>;
  /** The payment a caller's idempotency key made or found for the order. */
  findByRequestKey(orderId: string, requestKey: string): Promise<PaymentRecord | null>;
  /** Remembers which payment a caller's idempotency key answered with (the first one stays). */
  rememberRequestKey(
    orderId: string,
    requestKey: string,
    paymentId: string,
    now: Date,
  ): Promise<void>;
  /** Records the provider's page of an attempt; returns the page recorded first. */
  setRedirect(id: string, redirectUrl: string): Promise<string>;
  /** The provider reported a failure: the order's open attempts with it close. */
  closeAttempts(orderId: string, provider: string): Promise<void>;
  find(id: string): Promise<PaymentRecord | null>;
  findByProviderTxn(provider: string, txnId: string): Promise<PaymentRecord | null>;
  /** Records a provider transaction; false when it was already recorded (replay). */
  recordTxn(p: PaymentRecord): Promise<boolean>;
  succeededFor(orderId: string): Promise<PaymentRecord[]>;
  setStatus(id: string, status: PaymentRecord['status']): Promise<void>;
}

export interface ShipmentRepository {
  byOrder(orderId: string): Promise<Shipment[]>;
  find(id: string, forUpdate?: boolean): Promise<Shipment | null>;
  findByTracking(carrier: string, trackingNumber: string): Promise<Shipment | null>;
  insert(shipments: Shipment[]): Promise<void>;
  save(shipment: Shipment): Promise<void>;
  /** Paid orders with a committed reservation and no shipments yet. */
  ordersAwaitingShipments(limit: number): Promise<string[]>;
}

export interface ReturnRepository {
  byOrder(orderId: string): Promise<ReturnRequest[]>;
  find(id: string, forUpdate?: boolean): Promise<ReturnRequest | null>;
  insert(r: ReturnRequest): Promise<void>;
  /**
   * Saves a change of a stored return (made under its row lock, `find(id, true)`) and appends the
   * events it recorded to the outbox, in the caller's transaction.
   */
  save(change: ReturnChange): Promise<void>;
  /**
   * Claims the restock of a received return; false while another worker's claim is younger
   * than `staleBefore` (so concurrent finishers never restock twice).
   */
  claimRestock(id: string, now: Date, staleBefore: Date): Promise<boolean>;
  /** Returns left half-done (received but not restocked or refunded), untouched since `olderThan`. */
  unfinished(limit: number, olderThan: Date): Promise<string[]>;
}

/**
 * Events written to the outbox with the transaction. Only the order and return repositories
 * write them, from the events an `OrderChange` or a `ReturnChange` recorded (see `appendEvents`,
 * `appendReturnEvents`); use cases never do.
 */
export interface OrderEvents {
  placed(order: Order, couponCodes: string[]): void;
  paid(order: Order): void;
  cancelled(order: Order, couponCodes: string[]): void;
  shipped(order: Order, shipment: Shipment): void;
  tracked(order: Order, shipment: Shipment, event: Shipment['events'][number]): void;
  refunded(order: Order, refundId: string, amount: Money, full: boolean): void;
  /** A return's outcome for the account's record (keyed by its order, like the order's events). */
  returnSettled(event: ReturnSettled): void;
}

/**
 * `CartChanged` on `order.cart`, written to the outbox with the transaction that changed an
 * account's cart (guest carts announce nothing).
 */
export interface CartEvents {
  changed(snapshot: CartSnapshot): void;
}

export interface OrderTx {
  orders: OrderRepository;
  carts: CartRepository;
  cartEvents: CartEvents;
  guestTokens: GuestTokenRepository;
  checkouts: CheckoutRepository;
  payments: PaymentRepository;
  shipments: ShipmentRepository;
  returns: ReturnRepository;
  groups: GroupDecisionRepository;
}

/** Writes the events a change recorded, in order, to the transaction's outbox. */
export function appendEvents(out: OrderEvents, events: readonly OrderDomainEvent[]): void {
  for (const e of events) {
    switch (e.type) {
      case 'placed':
        out.placed(e.order, e.couponCodes);
        break;
      case 'paid':
        out.paid(e.order);
        break;
      case 'cancelled':
        out.cancelled(e.order, e.couponCodes);
        break;
      case 'shipped':
        out.shipped(e.order, e.shipment);
        break;
      case 'tracked':
        out.tracked(e.order, e.shipment, e.event);
        break;
      case 'refunded':
        out.refunded(e.order, e.refundId, e.amount, e.full);
        break;
    }
  }
}

/** Writes the events a return's change recorded, in order, to the transaction's outbox. */
export function appendReturnEvents(out: OrderEvents, events: readonly ReturnDomainEvent[]): void {
  for (const e of events) if (e.type === 'settled') out.returnSettled(e);
}

export interface UnitOfWork {
  run<T>(ctx: RequestContext, work: (tx: OrderTx) => Promise<T>): Promise<T>;
  /**
   * Read-only work outside a transaction (no BEGIN/COMMIT round trips): for reads that need no
   * snapshot across their queries and no locks. Writes and events belong in `run`.
   */
  read<T>(ctx: RequestContext, work: (tx: OrderTx) => Promise<T>): Promise<T>;
  /**
   * Work that is one statement, atomic by itself (Postgres runs a statement outside a
   * transaction as its own): no BEGIN/COMMIT round trips. No lock outlives the statement, and
   * events are refused (they need `run`).
   */
  statement<T>(ctx: RequestContext, work: (tx: OrderTx) => Promise<T>): Promise<T>;
  /**
   * Runs `work` once per consumed event: the inbox row commits with the work, so a redelivered
   * event changes nothing (false).
   */
  runForEvent(
    ctx: RequestContext,
    consumer: string,
    event: ReceivedEvent,
    work: (tx: OrderTx) => Promise<void>,
  ): Promise<boolean>;
}

export type { Clock, IdGenerator } from '@emporia/domain';

export interface CartSettings {
  /** A guest token unused this long is expired (and swept with its cart). */
  guestCartTtlMs: number;
  /** A guest token that never got a cart is swept after this long unused. */
  guestTokenUnusedTtlMs: number;
}

export interface CheckoutSettings {
  paymentTtlMs: number;
  /** How long a held order may wait for review before it is cancelled. */
  reviewTtlMs: number;
  /**
   * A checkout attempt silent this long (no heartbeat: its process died, or it could not reach
   * the database) is presumed dead; a retry with the same key takes the checkout over.
   */
  checkoutLeaseMs: number;
  /** A checkout silent this long is abandoned by the sweep: its stock and coupons are released. */
  checkoutAbandonAfterMs: number;
  /** The large-order step-up rule (domain `step-up.ts`). */
  stepUp: StepUpPolicy;
}

/**
 * Test hook for the saga: throws after a named step, to prove every compensation. The
 * production binding does nothing.
 */
export interface SagaFaults {
  after(step: CheckoutStep): void;
}
export type CheckoutStep = 'PRICED' | 'SCORED' | 'RESERVED' | 'PLACED';

export const UNIT_OF_WORK = Symbol('UNIT_OF_WORK');
export const CATALOG = Symbol('CATALOG');
export const PRICING = Symbol('PRICING');
export const RISK = Symbol('RISK');
export const ACCOUNTS = Symbol('ACCOUNTS');
export const PAYMENT_PROVIDERS = Symbol('PAYMENT_PROVIDERS');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
export const CHECKOUT_SETTINGS = Symbol('CHECKOUT_SETTINGS');
export const SAGA_FAULTS = Symbol('SAGA_FAULTS');
export const CARRIER_WEBHOOKS = Symbol('CARRIER_WEBHOOKS');
export const CART_SETTINGS = Symbol('CART_SETTINGS');
export const MARKETPLACES = Symbol('MARKETPLACES');
export const ROUTING = Symbol('ROUTING');
