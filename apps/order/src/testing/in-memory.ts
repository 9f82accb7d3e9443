import { FakeUnitOfWork } from '@emporia/domain/testing';
import { Money } from '@emporia/money';
import type { RequestContext } from '@emporia/platform';
import {
  type AccountsPort,
  type AddressBookEntry,
  type AttemptOnOrder,
  appendEvents,
  appendReturnEvents,
  type CartRepository,
  type CatalogPort,
  type CheckoutRecord,
  type CheckoutRepository,
  type GroupDecisionRepository,
  type GuestTokenRepository,
  type OrderCursor,
  type OrderEvents,
  type OrderListFilter,
  type OrderRepository,
  type OrderTx,
  type PaymentRecord,
  type PaymentRepository,
  type PricingInput,
  type PricingPort,
  type ReturnRepository,
  type RiskInput,
  type RiskPort,
  type ShipmentRepository,
  type SkuInfo,
  type UnitOfWork,
  type WarehouseInfo,
} from '../application/ports';
import type { Cart, CartLine, CartSnapshot } from '../domain/cart';
import type { GroupDecision } from '../domain/group-buy';
import { reservationAction } from '../domain/group-buy';
import type { Order, PricedCart, RiskVerdict, ShippingAddress } from '../domain/order';
import { orderChanged, type OrderChange } from '../domain/order-change';
import { OrderError } from '../domain/order-error';
import type { ReturnChange, ReturnRequest, ReturnSettled } from '../domain/returns';
import type { Shipment } from '../domain/shipment';

/**
 * In-memory ports for fast application-layer tests (CONVENTIONS 18): a unit of work whose
 * transactions roll back on a throw (every map is restored, recorded events are dropped), and
 * fakes of the catalog, marketing's pricing and risk that record their calls and fail on demand.
 * Single-threaded: tests run one use case call at a time.
 */

/** An outbox row as the fake records it: the event type and the order it is about. */
export interface RecordedOutboxEvent {
  type: 'placed' | 'paid' | 'cancelled' | 'shipped' | 'tracked' | 'refunded' | 'returnSettled';
  orderId: string;
  /** The order's status the event carried (order events; a return's event carries none). */
  status?: Order['status'];
  couponCodes?: string[];
  refundId?: string;
  full?: boolean;
  /** `ReturnSettled`: what it says about the return. */
  settled?: Omit<ReturnSettled, 'type'>;
}

class RecordingEvents implements OrderEvents {
  readonly rows: RecordedOutboxEvent[] = [];
  placed(o: Order, couponCodes: string[]) {
    this.rows.push({ type: 'placed', orderId: o.id, status: o.status, couponCodes });
  }
  paid(o: Order) {
    this.rows.push({ type: 'paid', orderId: o.id, status: o.status });
  }
  cancelled(o: Order, couponCodes: string[]) {
    this.rows.push({ type: 'cancelled', orderId: o.id, status: o.status, couponCodes });
  }
  shipped(o: Order) {
    this.rows.push({ type: 'shipped', orderId: o.id, status: o.status });
  }
  tracked(o: Order) {
    this.rows.push({ type: 'tracked', orderId: o.id, status: o.status });
  }
  refunded(o: Order, refundId: string, _amount: Money, full: boolean) {
    this.rows.push({ type: 'refunded', orderId: o.id, status: o.status, refundId, full });
  }
  returnSettled({ type: _type, ...settled }: ReturnSettled) {
    this.rows.push({ type: 'returnSettled', orderId: settled.orderId, settled });
  }
}

interface StoredOrder {
  order: Order;
  explanation: string[];
  reservationSynced: boolean;
}

/** Every table of the order database, as maps of immutable values. */
export class InMemoryOrderStore {
  orders = new Map<string, StoredOrder>();
  imports = new Map<string, string>();
  carts = new Map<string, Cart>();
  guestTokens = new Map<string, { usedAt: Date; carted: boolean }>();
  checkouts = new Map<string, CheckoutRecord>();
  payments = new Map<string, PaymentRecord>();
  requestKeys = new Map<string, string>();
  shipments = new Map<string, Shipment>();
  returns = new Map<string, ReturnRequest>();
  restockClaims = new Map<string, Date>();
  groups = new Map<string, GroupDecision>();
  inbox = new Set<string>();
  /** Committed outbox rows, in commit order. */
  outbox: RecordedOutboxEvent[] = [];
  /** Committed `CartChanged` events (outbox rows on `order.cart`), in commit order. */
  cartEvents: CartSnapshot[] = [];

  /** The committed events of one order, by type. */
  eventsOf(orderId: string): RecordedOutboxEvent['type'][] {
    return this.outbox.filter((e) => e.orderId === orderId).map((e) => e.type);
  }
}

const ownerKey = (o: Cart['owner']) => ('accountId' in o ? `a:${o.accountId}` : `g:${o.guestKey}`);

class MemOrders implements OrderRepository {
  constructor(
    private readonly s: InMemoryOrderStore,
    private readonly events: OrderEvents,
  ) {}
  find = async (id: string) => this.s.orders.get(id)?.order ?? null;
  findForUpdate = async (id: string) => this.s.orders.get(id)?.order ?? null;
  async add(change: OrderChange, explanation: string[], reservationSynced = true) {
    if (change.baseVersion !== null) throw new Error('add() inserts new orders only');
    if (this.s.orders.has(change.order.id)) throw new Error(`duplicate order ${change.order.id}`);
    this.s.orders.set(change.order.id, { order: change.order, explanation, reservationSynced });
    appendEvents(this.events, change.events);
  }
  async save(change: OrderChange) {
    const stored = this.s.orders.get(change.order.id);
    if (!stored || stored.order.version !== change.baseVersion)
      throw orderChanged({ orderId: change.order.id });
    const moved =
      (change.order.status === 'PAID' || change.order.status === 'CANCELLED') &&
      stored.order.status !== change.order.status;
    this.s.orders.set(change.order.id, {
      ...stored,
      order: change.order,
      reservationSynced: moved ? false : stored.reservationSynced,
    });
    appendEvents(this.events, change.events);
  }
  findImport = async (source: string, externalId: string) =>
    this.s.imports.get(`${source}/${externalId}`) ?? null;
  async insertImport(source: string, externalId: string, orderId: string) {
    const k = `${source}/${externalId}`;
    if (this.s.imports.has(k)) return false;
    this.s.imports.set(k, orderId);
    return true;
  }
  async list(filter: OrderListFilter, limit: number, after: OrderCursor | null) {
    return [...this.s.orders.values()]
      .map((x) => x.order)
      .filter((o) => filter.accountId === null || o.accountId === filter.accountId)
      .filter((o) => filter.status === null || o.status === filter.status)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .filter(
        (o) =>
          !after ||
          o.createdAt.getTime() < after.createdAt.getTime() ||
          (o.createdAt.getTime() === after.createdAt.getTime() && o.id < after.id),
      )
      .slice(0, limit);
  }
  explanation = async (id: string) => this.s.orders.get(id)?.explanation ?? [];
  async overdue(now: Date, limit: number) {
    return [...this.s.orders.values()]
      .map((x) => x.order)
      .filter(
        (o) =>
          (o.status === 'PENDING_PAYMENT' || o.status === 'PENDING_REVIEW') &&
          o.paymentDeadline.getTime() <= now.getTime(),
      )
      .sort((a, b) => a.paymentDeadline.getTime() - b.paymentDeadline.getTime())
      .slice(0, limit)
      .map((o) => o.id);
  }
  async reservationsToSync(limit: number) {
    const due: { orderId: string; reservationId: string; action: 'COMMIT' | 'RELEASE' }[] = [];
    for (const { order, reservationSynced } of this.s.orders.values()) {
      const action = reservationAction(order);
      if (!reservationSynced && action !== 'HOLD')
        due.push({ orderId: order.id, reservationId: order.reservationId, action });
    }
    return due.slice(0, limit);
  }
  async markReservationSynced(orderId: string) {
    const stored = this.s.orders.get(orderId);
    if (stored) this.s.orders.set(orderId, { ...stored, reservationSynced: true });
    return stored?.order ?? null;
  }
  async groupRefundsDue(limit: number, olderThan: Date) {
    return [...this.s.orders.values()]
      .map((x) => x.order)
      .filter(
        (o) =>
          o.status === 'PAID' &&
          o.groupStatus === 'FAILED' &&
          o.updatedAt.getTime() < olderThan.getTime(),
      )
      .slice(0, limit)
      .map((o) => o.id);
  }
}

class MemCarts implements CartRepository {
  constructor(private readonly s: InMemoryOrderStore) {}
  find = async (owner: Cart['owner']) => this.s.carts.get(ownerKey(owner)) ?? null;
  async lock(owner: Cart['owner'], newId: string, now: Date) {
    const k = ownerKey(owner);
    if (!this.s.carts.has(k)) this.s.carts.set(k, { id: newId, owner, lines: [], updatedAt: now });
    return this.s.carts.get(k)!;
  }
  async save(cart: Cart) {
    this.s.carts.set(ownerKey(cart.owner), cart);
  }
  async remove(cartId: string) {
    for (const [k, c] of this.s.carts) if (c.id === cartId) this.s.carts.delete(k);
  }
}

class MemGuestTokens implements GuestTokenRepository {
  constructor(private readonly s: InMemoryOrderStore) {}
  async insert(key: string, now: Date) {
    this.s.guestTokens.set(key, { usedAt: now, carted: false });
  }
  async touch(key: string, now: Date, usedAfter: Date, carted: boolean) {
    const t = this.s.guestTokens.get(key);
    if (!t || t.usedAt.getTime() < usedAfter.getTime()) return false;
    this.s.guestTokens.set(key, {
      usedAt: now.getTime() > t.usedAt.getTime() ? now : t.usedAt,
      carted: t.carted || carted,
    });
    return true;
  }
  async remove(key: string) {
    this.s.guestTokens.delete(key);
  }
  async expire(idleBefore: Date, unusedBefore: Date, limit: number) {
    let n = 0;
    for (const [k, t] of this.s.guestTokens) {
      if (n >= limit) break;
      const before = t.carted ? idleBefore : unusedBefore;
      if (t.usedAt.getTime() < before.getTime()) {
        this.s.guestTokens.delete(k);
        this.s.carts.delete(`g:${k}`);
        n++;
      }
    }
    return n;
  }
}

class MemCheckouts implements CheckoutRepository {
  constructor(private readonly s: InMemoryOrderStore) {}
  async create(record: Omit<CheckoutRecord, 'attempts'>) {
    if (this.s.checkouts.has(record.key)) return null;
    const created = { ...record, status: 'STARTED' as const, attempts: 1 };
    this.s.checkouts.set(record.key, created);
    const cart = this.s.carts.get(ownerKey({ accountId: record.accountId })) ?? null;
    return { record: created, cart };
  }
  lock = async (key: string) => this.s.checkouts.get(key) ?? null;
  async takeOver(key: string, a: { attemptId: string; reservationId: string; now: Date }) {
    const r = this.s.checkouts.get(key)!;
    const taken: CheckoutRecord = {
      ...r,
      status: 'STARTED',
      attemptId: a.attemptId,
      reservationId: a.reservationId,
      heartbeatAt: a.now,
      attempts: r.attempts + 1,
      errorCode: null,
      errorMessage: null,
    };
    this.s.checkouts.set(key, taken);
    return taken;
  }
  async heartbeat(key: string, attemptId: string, now: Date) {
    const r = this.s.checkouts.get(key);
    if (r?.status !== 'STARTED' || r.attemptId !== attemptId) return false;
    this.s.checkouts.set(key, { ...r, heartbeatAt: now });
    return true;
  }
  async releaseLease(key: string, attemptId: string, expiredAt: Date) {
    const r = this.s.checkouts.get(key);
    if (r?.status === 'STARTED' && r.attemptId === attemptId)
      this.s.checkouts.set(key, {
        ...r,
        heartbeatAt: r.heartbeatAt < expiredAt ? r.heartbeatAt : expiredAt,
      });
  }
  async finish(
    key: string,
    status: 'PLACED' | 'FAILED' | 'ABANDONED',
    error?: { code: string; message: string },
  ) {
    const r = this.s.checkouts.get(key)!;
    this.s.checkouts.set(key, {
      ...r,
      status,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
    });
  }
  async markPlacedAndLockCart(
    key: string,
    attemptId: string,
    cart: { accountId: string; newId: string; now: Date },
  ) {
    const r = this.s.checkouts.get(key);
    if (r?.status !== 'STARTED' || r.attemptId !== attemptId) return null;
    this.s.checkouts.set(key, { ...r, status: 'PLACED', errorCode: null, errorMessage: null });
    return new MemCarts(this.s).lock({ accountId: cart.accountId }, cart.newId, cart.now);
  }
  async stale(olderThan: Date, limit: number) {
    return [...this.s.checkouts.values()]
      .filter((r) => r.status === 'STARTED' && r.heartbeatAt.getTime() < olderThan.getTime())
      .slice(0, limit);
  }
}

class MemPayments implements PaymentRepository {
  constructor(private readonly s: InMemoryOrderStore) {}
  private all = () => [...this.s.payments.values()];
  async openAttempt(p: PaymentRecord) {
    const open = this.all().find(
      (x) => x.orderId === p.orderId && x.provider === p.provider && x.status === 'STARTED',
    );
    if (open) return open;
    this.s.payments.set(p.id, p);
    return p;
  }
  async openAttemptOnOrder(p: AttemptOnOrder) {
    const order = this.s.orders.get(p.orderId)?.order ?? null;
    const open = this.all().some(
      (x) => x.orderId === p.orderId && x.provider === p.provider && x.status === 'STARTED',
    );
    if (!order || order.accountId !== p.accountId || order.status !== 'PENDING_PAYMENT' || open)
      return { order, made: null };
    const made: PaymentRecord = {
      id: p.id,
      orderId: order.id,
      provider: p.provider,
      providerTxnId: null,
      amount: order.total,
      status: 'STARTED',
      createdAt: p.createdAt,
      redirectUrl: null,
    };
    this.s.payments.set(made.id, made);
    return { order, made };
  }
  async recordPage(id: string, redirectUrl: string) {
    const p = this.s.payments.get(id)!;
    this.s.payments.set(id, { ...p, redirectUrl });
  }
  async findWithOrderForUpdate(id: string, accountId: string) {
    const payment = this.s.payments.get(id);
    const order = payment && this.s.orders.get(payment.orderId)?.order;
    return payment && order?.accountId === accountId ? { payment, order } : null;
  }
  async findByRequestKey(orderId: string, requestKey: string) {
    const id = this.s.requestKeys.get(`${orderId}/${requestKey}`);
    return id ? (this.s.payments.get(id) ?? null) : null;
  }
  async rememberRequestKey(orderId: string, requestKey: string, paymentId: string) {
    const k = `${orderId}/${requestKey}`;
    if (!this.s.requestKeys.has(k)) this.s.requestKeys.set(k, paymentId);
  }
  async setRedirect(id: string, redirectUrl: string) {
    const p = this.s.payments.get(id)!;
    const kept = p.redirectUrl ?? redirectUrl;
    this.s.payments.set(id, { ...p, redirectUrl: kept });
    return kept;
  }
  async closeAttempts(orderId: string, provider: string) {
    for (const p of this.all())
      if (p.orderId === orderId && p.provider === provider && p.status === 'STARTED')
        this.s.payments.set(p.id, { ...p, status: 'FAILED' });
  }
  find = async (id: string) => this.s.payments.get(id) ?? null;
  findByProviderTxn = async (provider: string, txnId: string) =>
    this.all().find((p) => p.provider === provider && p.providerTxnId === txnId) ?? null;
  async recordTxn(p: PaymentRecord) {
    if (await this.findByProviderTxn(p.provider, p.providerTxnId!)) return false;
    this.s.payments.set(p.id, p);
    return true;
  }
  succeededFor = async (orderId: string) =>
    this.all()
      .filter((p) => p.orderId === orderId && p.status === 'SUCCEEDED')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  async setStatus(id: string, status: PaymentRecord['status']) {
    const p = this.s.payments.get(id);
    if (p) this.s.payments.set(id, { ...p, status });
  }
}

class MemShipments implements ShipmentRepository {
  constructor(private readonly s: InMemoryOrderStore) {}
  byOrder = async (orderId: string) =>
    [...this.s.shipments.values()].filter((x) => x.orderId === orderId);
  find = async (id: string) => this.s.shipments.get(id) ?? null;
  findByTracking = async (carrier: string, trackingNumber: string) =>
    [...this.s.shipments.values()].find(
      (x) => x.carrier === carrier && x.trackingNumber === trackingNumber,
    ) ?? null;
  async insert(shipments: Shipment[]) {
    for (const x of shipments) this.s.shipments.set(x.id, x);
  }
  async save(shipment: Shipment) {
    this.s.shipments.set(shipment.id, shipment);
  }
  async ordersAwaitingShipments(limit: number) {
    const shipped = new Set([...this.s.shipments.values()].map((x) => x.orderId));
    return [...this.s.orders.values()]
      .filter((x) => x.order.status === 'PAID' && x.reservationSynced && !shipped.has(x.order.id))
      .slice(0, limit)
      .map((x) => x.order.id);
  }
}

class MemReturns implements ReturnRepository {
  constructor(
    private readonly s: InMemoryOrderStore,
    private readonly events: OrderEvents,
  ) {}
  byOrder = async (orderId: string) =>
    [...this.s.returns.values()].filter((r) => r.orderId === orderId);
  find = async (id: string) => this.s.returns.get(id) ?? null;
  async insert(r: ReturnRequest) {
    this.s.returns.set(r.id, r);
  }
  async save(change: ReturnChange) {
    if (!this.s.returns.has(change.request.id))
      throw new Error(`return ${change.request.id} is not stored`);
    this.s.returns.set(change.request.id, change.request);
    appendReturnEvents(this.events, change.events);
  }
  async claimRestock(id: string, now: Date, staleBefore: Date) {
    const claimed = this.s.restockClaims.get(id);
    if (claimed && claimed.getTime() >= staleBefore.getTime()) return false;
    this.s.restockClaims.set(id, now);
    return true;
  }
  async unfinished(limit: number, olderThan: Date) {
    return [...this.s.returns.values()]
      .filter(
        (r) =>
          (r.status === 'RECEIVED' || r.status === 'REFUNDING') &&
          r.updatedAt.getTime() < olderThan.getTime(),
      )
      .slice(0, limit)
      .map((r) => r.id);
  }
}

class MemGroups implements GroupDecisionRepository {
  constructor(private readonly s: InMemoryOrderStore) {}
  async record(d: GroupDecision) {
    if (this.s.groups.has(d.orderId)) return false;
    this.s.groups.set(d.orderId, d);
    return true;
  }
  find = async (orderId: string) => this.s.groups.get(orderId) ?? null;
}

/**
 * The fake unit of work (transactions, inbox and `failNextRuns` from `FakeUnitOfWork`):
 * each `run` commits its writes and recorded events when the work returns, rolls back when it throws.
 */
export class InMemoryUnitOfWork
  extends FakeUnitOfWork<OrderTx, RecordedOutboxEvent, InMemoryOrderStore>
  implements UnitOfWork
{
  constructor(store = new InMemoryOrderStore()) {
    super(store);
  }

  /** A read: a transaction here too (the fake's runs are cheap; failNextRuns applies alike). */
  read<T>(ctx: RequestContext, work: (tx: OrderTx) => Promise<T>): Promise<T> {
    return this.run(ctx, work);
  }

  /** One statement (FakeUnitOfWork's), whose cart events are refused too. */
  override statement<T>(ctx: RequestContext, work: (tx: OrderTx) => Promise<T>): Promise<T> {
    return super.statement(ctx, async (tx) => {
      const carts = this.store.cartEvents.length;
      const result = await work(tx);
      if (this.store.cartEvents.length > carts)
        throw new Error('a one-statement unit of work produced events: use run() for changes');
      return result;
    });
  }

  protected begin() {
    const s = this.store;
    const events = new RecordingEvents();
    const tx: OrderTx = {
      orders: new MemOrders(s, events),
      carts: new MemCarts(s),
      // the array is restored with the other tables when the transaction rolls back
      cartEvents: { changed: (c) => void s.cartEvents.push(c) },
      guestTokens: new MemGuestTokens(s),
      checkouts: new MemCheckouts(s),
      payments: new MemPayments(s),
      shipments: new MemShipments(s),
      returns: new MemReturns(s, events),
      groups: new MemGroups(s),
    };
    return { tx, recorded: events };
  }
}

/** Makes the next call of a fake's method throw `error` (once, or `times`). */
class Faults {
  private readonly next = new Map<string, { error: unknown; times: number }>();
  fail(method: string, error: unknown, times = 1): void {
    this.next.set(method, { error, times });
  }
  check(method: string): void {
    const f = this.next.get(method);
    if (!f) return;
    if (--f.times <= 0) this.next.delete(method);
    throw f.error;
  }
}

export const unavailable = (what: string) =>
  new OrderError('UNAVAILABLE', `${what.toUpperCase()}_UNAVAILABLE`, `${what} is unavailable`);

/**
 * The catalog: SKUs with per-warehouse stock, reservations that hold units (all lines or none,
 * idempotent by id), commits and releases. `held()` is what is reserved and not released.
 */
export class FakeCatalog implements CatalogPort {
  readonly faults = new Faults();
  readonly calls: { method: string; id?: string; reason?: string }[] = [];
  readonly skuInfo = new Map<string, SkuInfo>();
  readonly reservations = new Map<
    string,
    { lines: { skuId: string; warehouseCode: string; quantity: number }[]; state: string }
  >();
  warehouseList: WarehouseInfo[] = [];

  constructor(skus: SkuInfo[] = []) {
    for (const s of skus) this.skuInfo.set(s.skuId, s);
  }

  /** Units reserved and neither released nor committed, per reservation id. */
  held(): string[] {
    return [...this.reservations].filter(([, r]) => r.state === 'HELD').map(([id]) => id);
  }

  private available(skuId: string, warehouseCode: string): number {
    const listed =
      this.skuInfo.get(skuId)?.stock.find((s) => s.warehouseCode === warehouseCode)?.available ?? 0;
    let used = 0;
    for (const r of this.reservations.values())
      if (r.state !== 'RELEASED')
        for (const l of r.lines)
          if (l.skuId === skuId && l.warehouseCode === warehouseCode) used += l.quantity;
    return listed - used;
  }

  async skus(_ctx: RequestContext, skuIds: string[]) {
    this.calls.push({ method: 'skus' });
    this.faults.check('skus');
    return new Map(
      skuIds.filter((id) => this.skuInfo.has(id)).map((id) => [id, this.skuInfo.get(id)!]),
    );
  }

  async warehouses() {
    this.calls.push({ method: 'warehouses' });
    this.faults.check('warehouses');
    return this.warehouseList;
  }

  async reserve(
    _ctx: RequestContext,
    reservationId: string,
    lines: (CartLine & { warehouseCode?: string })[],
  ) {
    this.calls.push({ method: 'reserve', id: reservationId });
    this.faults.check('reserve');
    if (this.reservations.has(reservationId)) return;
    const taken: { skuId: string; warehouseCode: string; quantity: number }[] = [];
    for (const l of lines) {
      const codes = l.warehouseCode
        ? [l.warehouseCode]
        : (this.skuInfo.get(l.skuId)?.stock.map((s) => s.warehouseCode) ?? []);
      const code = codes.find((c) => this.available(l.skuId, c) >= l.quantity);
      if (!code)
        throw new OrderError('FAILED_PRECONDITION', 'STOCK_INSUFFICIENT', `short of ${l.skuId}`, {
          skuId: l.skuId,
        });
      taken.push({ skuId: l.skuId, warehouseCode: code, quantity: l.quantity });
    }
    this.reservations.set(reservationId, { lines: taken, state: 'HELD' });
  }

  async commit(_ctx: RequestContext, reservationId: string) {
    this.calls.push({ method: 'commit', id: reservationId });
    this.faults.check('commit');
    const r = this.reservations.get(reservationId);
    if (r) r.state = 'COMMITTED';
    return r?.lines ?? [];
  }

  async release(_ctx: RequestContext, reservationId: string, reason: string) {
    this.calls.push({ method: 'release', id: reservationId, reason });
    this.faults.check('release');
    const r = this.reservations.get(reservationId);
    if (r && r.state === 'HELD') r.state = 'RELEASED';
  }

  async restock(_ctx: RequestContext, skuId: string, warehouseCode: string, quantity: number) {
    this.calls.push({ method: 'restock', id: `${skuId}@${warehouseCode}x${quantity}` });
    this.faults.check('restock');
  }

  async reservationLines(_ctx: RequestContext, reservationId: string) {
    return this.reservations.get(reservationId)?.lines ?? [];
  }
}

/**
 * Marketing's pricing: list prices, each coupon code taking `couponOffMinor` off the first line;
 * coupons are reserved under the order id until released. `answer` overrides the priced cart.
 */
export class FakePricing implements PricingPort {
  readonly faults = new Faults();
  readonly couponsHeld = new Map<string, string[]>();
  readonly released: { orderId: string; reason: string }[] = [];
  answer?: (input: PricingInput, listed: PricedCart) => PricedCart;

  constructor(private readonly couponOffMinor = 0) {}

  async price(_ctx: RequestContext, input: PricingInput): Promise<PricedCart> {
    this.faults.check('price');
    const currency = input.lines[0].sku.unitPrice.currency;
    let off = this.couponOffMinor * input.couponCodes.length;
    const lines = input.lines.map((l) => {
      const gross = l.sku.unitPrice.times(l.quantity);
      const d = Math.min(off, gross.amountMinor);
      off -= d;
      const share = Money.of(d, currency);
      return {
        skuId: l.sku.skuId,
        productId: l.sku.productId,
        title: l.sku.title,
        quantity: l.quantity,
        unitPrice: l.sku.unitPrice,
        discount: share,
        total: gross.subtract(share),
      };
    });
    const sum = (f: (l: (typeof lines)[number]) => Money) => Money.sum(lines.map(f), currency);
    const subtotal = sum((l) => l.unitPrice.times(l.quantity));
    const discount = sum((l) => l.discount);
    const listed: PricedCart = {
      currency,
      lines,
      subtotal,
      discount,
      shipping: Money.zero(currency),
      total: subtotal.subtract(discount),
      explanation: input.couponCodes.map((c) => `coupon ${c}`),
      pricedBy: 'fake-marketing',
    };
    if (input.couponCodes.length) this.couponsHeld.set(input.orderId, input.couponCodes);
    return this.answer ? this.answer(input, listed) : listed;
  }

  async releaseCoupons(_ctx: RequestContext, orderId: string, reason: string) {
    this.faults.check('releaseCoupons');
    this.released.push({ orderId, reason });
    this.couponsHeld.delete(orderId);
  }
}

/** Risk: answers `verdict` (ALLOW by default); records the orders it scored. */
export class FakeRisk implements RiskPort {
  readonly faults = new Faults();
  readonly scored: string[] = [];
  /** What each scoring was asked with (address doubts included). */
  readonly inputs: RiskInput[] = [];
  verdict: RiskVerdict = { decision: 'ALLOW', score: 1, reasons: [], degraded: false };

  async scoreOrder(_ctx: RequestContext, input: RiskInput) {
    this.scored.push(input.orderId);
    this.inputs.push(input);
    this.faults.check('scoreOrder');
    return this.verdict;
  }
}

/** The user service's accounts and address books, as checkout reads them. */
export class FakeAccounts implements AccountsPort {
  readonly frozen = new Set<string>();
  readonly books = new Map<string, Map<string, AddressBookEntry>>();
  readonly faults = new Faults();

  /** Saves an entry, long ago unless `createdAt` says when (null: the service did not say). */
  addAddress(
    accountId: string,
    addressId: string,
    address: ShippingAddress,
    createdAt: Date | null = new Date(0),
  ): void {
    if (!this.books.has(accountId)) this.books.set(accountId, new Map());
    this.books.get(accountId)!.set(addressId, { address, createdAt });
  }

  async isFrozen(_ctx: RequestContext, accountId: string) {
    this.faults.check('isFrozen');
    return this.frozen.has(accountId);
  }

  async address(_ctx: RequestContext, accountId: string, addressId: string) {
    this.faults.check('address');
    return this.books.get(accountId)?.get(addressId) ?? null;
  }
}

export { FakeClock, SequentialIds } from '@emporia/domain/testing';
