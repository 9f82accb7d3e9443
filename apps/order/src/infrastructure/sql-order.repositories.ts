import { Money } from '@emporia/money';
import { isUniqueViolation, qualified, Sql, unprefixed } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import {
  appendEvents,
  appendReturnEvents,
  type AttemptOnOrder,
  type OrderEvents,
  type GroupDecisionRepository,
  type ReturnRepository,
  type ShipmentRepository,
  type CartRepository,
  type GuestTokenRepository,
  type CheckoutCreated,
  type CheckoutRecord,
  type CheckoutRepository,
  type OrderCursor,
  type OrderListFilter,
  type OrderRepository,
  type PaymentRecord,
  type PaymentRepository,
} from '../application/ports';
import type { Cart, CartLine } from '../domain/cart';
import { reservationAction, type GroupDecision } from '../domain/group-buy';
import type { GroupStatus, Order, OrderLine, RiskVerdict, ShippingAddress } from '../domain/order';
import { OrderError } from '../domain/order-error';
import { orderChanged, type OrderChange } from '../domain/order-change';
import type { OrderStatus } from '../domain/order-state-machine';
import type { Shipment } from '../domain/shipment';
import type { ReturnChange, ReturnRequest } from '../domain/returns';

interface OrderRow {
  id: string;
  account_id: string;
  status: OrderStatus;
  currency: string;
  lines: {
    skuId: string;
    productId: string;
    title: string;
    quantity: number;
    unitPriceMinor: number;
    discountMinor: number;
    totalMinor: number;
  }[];
  subtotal_minor: string;
  discount_minor: string;
  shipping_minor: string;
  total_minor: string;
  address: ShippingAddress;
  risk: RiskVerdict;
  reservation_id: string;
  payment_deadline: Date;
  cancel_reason: string | null;
  paid_at: Date | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  group_id: string | null;
  group_status: GroupStatus | null;
  channel: string;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements"). What `toOrder` reads; `price_explanation` is read on its own.
const ORDER_COLUMNS = `id, account_id, status, currency, lines, subtotal_minor, discount_minor,
  shipping_minor, total_minor, address, risk, reservation_id, payment_deadline, cancel_reason,
  paid_at, created_at, updated_at, version, group_id, group_status, channel`;

const toOrder = (r: OrderRow): Order => {
  const c = r.currency.trim();
  const m = (v: string | number) => Money.of(Number(v), c);
  return {
    id: r.id,
    accountId: r.account_id,
    status: r.status,
    currency: c,
    lines: r.lines.map((l): OrderLine => ({
      skuId: l.skuId,
      productId: l.productId,
      title: l.title,
      quantity: l.quantity,
      unitPrice: m(l.unitPriceMinor),
      discount: m(l.discountMinor),
      total: m(l.totalMinor),
    })),
    subtotal: m(r.subtotal_minor),
    discount: m(r.discount_minor),
    shipping: m(r.shipping_minor),
    total: m(r.total_minor),
    address: r.address,
    risk: r.risk,
    reservationId: r.reservation_id,
    paymentDeadline: r.payment_deadline,
    cancelReason: r.cancel_reason,
    paidAt: r.paid_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
    groupId: r.group_id,
    groupStatus: r.group_status,
    channel: r.channel,
  };
};

const linesJson = (o: Order) =>
  JSON.stringify(
    o.lines.map((l) => ({
      skuId: l.skuId,
      productId: l.productId,
      title: l.title,
      quantity: l.quantity,
      unitPriceMinor: l.unitPrice.amountMinor,
      discountMinor: l.discount.amountMinor,
      totalMinor: l.total.amountMinor,
    })),
  );

export class SqlOrderRepository implements OrderRepository {
  private readonly sql: Sql;
  constructor(
    m: EntityManager,
    /** The transaction's outbox: a change's events are appended with it. */
    private readonly events: OrderEvents,
  ) {
    this.sql = new Sql(m);
  }

  private async one(sql: string, id: string): Promise<Order | null> {
    const r = await this.sql.one<OrderRow>(sql, [id]);
    return r ? toOrder(r) : null;
  }

  find(id: string) {
    return this.one(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, id);
  }

  findForUpdate(id: string) {
    return this.one(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`, id);
  }

  async findImport(source: string, externalId: string): Promise<string | null> {
    const rows = await this.sql.rows<{ order_id: string }>(
      `SELECT order_id FROM order_imports WHERE source = $1 AND external_id = $2`,
      [source, externalId],
    );
    return rows[0]?.order_id ?? null;
  }

  async insertImport(
    source: string,
    externalId: string,
    orderId: string,
    now: Date,
  ): Promise<boolean> {
    const rows = await this.sql.rows<{ order_id: string }>(
      `INSERT INTO order_imports (source, external_id, order_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING order_id`,
      [source, externalId, orderId, now],
    );
    return rows.length === 1;
  }

  async add(change: OrderChange, explanation: string[], reservationSynced = true): Promise<void> {
    if (change.baseVersion !== null) throw new Error('add() inserts new orders only');
    const o = change.order;
    // held until the transaction's next statement or COMMIT (libs/persistence: one round trip)
    await this.sql.runAtCommit(
      `INSERT INTO orders (id, account_id, status, currency, lines, subtotal_minor, discount_minor, shipping_minor, total_minor,
         address, risk, price_explanation, reservation_id, payment_deadline, cancel_reason, paid_at, created_at, updated_at, version,
         reservation_synced, group_id, group_status, channel)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
      [
        o.id,
        o.accountId,
        o.status,
        o.currency,
        linesJson(o),
        o.subtotal.amountMinor,
        o.discount.amountMinor,
        o.shipping.amountMinor,
        o.total.amountMinor,
        JSON.stringify(o.address),
        JSON.stringify(o.risk),
        JSON.stringify(explanation),
        o.reservationId,
        o.paymentDeadline,
        o.cancelReason,
        o.paidAt,
        o.createdAt,
        o.updatedAt,
        o.version,
        reservationSynced,
        o.groupId,
        o.groupStatus,
        o.channel,
      ],
    );
    appendEvents(this.events, change.events);
  }

  async save(change: OrderChange): Promise<void> {
    const o = change.order;
    if (change.baseVersion === null) throw new Error('save() updates stored orders only');
    // Paying or cancelling changes what the catalog must do with the reservation.
    const n = await this.sql.affected(
      `UPDATE orders SET status = $3, payment_deadline = $4, cancel_reason = $5, paid_at = $6, updated_at = $7, version = $8,
         group_status = $9,
         reservation_synced = CASE WHEN $3 IN ('PAID', 'CANCELLED') AND status <> $3 THEN false ELSE reservation_synced END
       WHERE id = $1 AND version = $2`,
      [
        o.id,
        change.baseVersion,
        o.status,
        o.paymentDeadline,
        o.cancelReason,
        o.paidAt,
        o.updatedAt,
        o.version,
        o.groupStatus,
      ],
    );
    if (n !== 1) throw orderChanged({ orderId: o.id });
    appendEvents(this.events, change.events);
  }

  async list(filter: OrderListFilter, limit: number, after: OrderCursor | null): Promise<Order[]> {
    // an index in this order serves each: orders_account_idx (an account's), orders_created_idx
    // (every order), orders_status_created_idx (a status; a common one may walk the former)
    const params: unknown[] = [limit];
    const where: string[] = [];
    if (filter.accountId) where.push(`account_id = $${params.push(filter.accountId)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (after)
      where.push(
        `(created_at, id) < ($${params.push(after.createdAt)}, $${params.push(after.id)})`,
      );
    const rows = await this.sql.rows<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    );
    return rows.map(toOrder);
  }

  async explanation(id: string): Promise<string[]> {
    const [r] = await this.sql.rows<{
      price_explanation: string[];
    }>(`SELECT price_explanation FROM orders WHERE id = $1`, [id]);
    return r?.price_explanation ?? [];
  }

  async overdue(now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM orders WHERE status IN ('PENDING_PAYMENT', 'PENDING_REVIEW') AND payment_deadline <= $1
       ORDER BY payment_deadline LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async reservationsToSync(limit: number) {
    // a paid order waiting for its group keeps its hold: neither committed nor released
    const rows = await this.sql.rows<{
      id: string;
      reservation_id: string;
      status: OrderStatus;
      group_status: GroupStatus | null;
    }>(
      `SELECT id, reservation_id, status, group_status FROM orders
       WHERE NOT reservation_synced AND (group_status IS DISTINCT FROM 'PENDING' OR status = 'CANCELLED')
       ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    return rows.flatMap((r) => {
      const action = reservationAction({ status: r.status, groupStatus: r.group_status });
      return action === 'HOLD' ? [] : [{ orderId: r.id, reservationId: r.reservation_id, action }];
    });
  }

  async markReservationSynced(orderId: string): Promise<Order | null> {
    // the update locks the row and returns it: the caller's read of the order, under its lock
    return this.one(
      `UPDATE orders SET reservation_synced = true WHERE id = $1 RETURNING ${ORDER_COLUMNS}`,
      orderId,
    );
  }

  async groupRefundsDue(limit: number, olderThan: Date): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM orders WHERE group_status = 'FAILED' AND status = 'PAID' AND updated_at < $2
       ORDER BY updated_at LIMIT $1`,
      [limit, olderThan],
    );
    return rows.map((r) => r.id);
  }
}

interface GroupDecisionRow {
  order_id: string;
  group_id: string;
  decision: GroupDecision['decision'];
  reason: string;
  decided_at: Date;
}

export class SqlGroupDecisionRepository implements GroupDecisionRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async record(d: GroupDecision): Promise<boolean> {
    const rows = await this.sql.rows<{ order_id: string }>(
      `INSERT INTO group_decisions (order_id, group_id, decision, reason, decided_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [d.orderId, d.groupId, d.decision, d.reason, d.decidedAt],
    );
    return rows.length === 1;
  }

  async find(orderId: string): Promise<GroupDecision | null> {
    const rows = await this.sql.rows<GroupDecisionRow>(
      `SELECT * FROM group_decisions WHERE order_id = $1`,
      [orderId],
    );
    const r = rows[0];
    return r
      ? {
          orderId: r.order_id,
          groupId: r.group_id,
          decision: r.decision,
          reason: r.reason,
          decidedAt: r.decided_at,
        }
      : null;
  }
}

interface CartRow {
  id: string;
  account_id: string | null;
  guest_token: string | null;
  lines: CartLine[];
  updated_at: Date;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const CART_COLUMNS = 'id, account_id, guest_token, lines, updated_at';

const toCart = (r: CartRow): Cart => ({
  id: r.id,
  owner: r.account_id ? { accountId: r.account_id } : { guestKey: r.guest_token! },
  lines: r.lines,
  updatedAt: r.updated_at,
});

const ownerWhere = (owner: Cart['owner']): [string, string] =>
  'accountId' in owner ? ['account_id', owner.accountId] : ['guest_token', owner.guestKey];

export class SqlCartRepository implements CartRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async find(owner: Cart['owner']): Promise<Cart | null> {
    const [col, v] = ownerWhere(owner);
    const r = await this.sql.one<CartRow>(`SELECT ${CART_COLUMNS} FROM carts WHERE ${col} = $1`, [
      v,
    ]);
    return r ? toCart(r) : null;
  }

  async lock(owner: Cart['owner'], newId: string, now: Date): Promise<Cart> {
    const [col, v] = ownerWhere(owner);
    // one round trip: a new cart is inserted; an existing one is locked (the no-op update takes
    // the row lock and returns its latest committed version, even one committed meanwhile)
    const rows = await this.sql.rows<CartRow>(
      `INSERT INTO carts (id, ${col}, lines, updated_at) VALUES ($1, $2, '[]'::jsonb, $3)
       ON CONFLICT (${col}) DO UPDATE SET id = carts.id RETURNING ${CART_COLUMNS}`,
      [newId, v, now],
    );
    return toCart(rows[0]);
  }

  async save(cart: Cart): Promise<void> {
    await this.sql.runAtCommit(`UPDATE carts SET lines = $2, updated_at = $3 WHERE id = $1`, [
      cart.id,
      JSON.stringify(cart.lines),
      cart.updatedAt,
    ]);
  }

  async remove(cartId: string): Promise<void> {
    await this.sql.run(`DELETE FROM carts WHERE id = $1`, [cartId]);
  }
}

/** Issued guest tokens by hash (`guest_tokens`); carts.guest_token holds the same hash. */
export class SqlGuestTokenRepository implements GuestTokenRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async insert(key: string, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO guest_tokens (token_hash, issued_at, last_used_at) VALUES ($1, $2, $2)`,
      [key, now],
    );
  }

  async touch(key: string, now: Date, usedAfter: Date, carted: boolean): Promise<boolean> {
    const rows = await this.sql.rows<{ token_hash: string }>(
      `WITH used AS (
         UPDATE guest_tokens SET last_used_at = GREATEST(last_used_at, $2), carted = carted OR $4
         WHERE token_hash = $1 AND last_used_at >= $3 RETURNING token_hash)
       SELECT token_hash FROM used`,
      [key, now, usedAfter, carted],
    );
    return rows.length === 1;
  }

  async remove(key: string): Promise<void> {
    await this.sql.run(`DELETE FROM guest_tokens WHERE token_hash = $1`, [key]);
  }

  async expire(idleBefore: Date, unusedBefore: Date, limit: number): Promise<number> {
    // tokens idle past the TTL, and tokens that never got a cart idle past the shorter one,
    // with their carts; then guest carts whose token is gone (client-chosen tokens of releases
    // before tokens were issued), once as old as the TTL
    const [{ n }] = await this.sql.rows<{ n: string }>(
      `WITH idle AS (
         SELECT token_hash FROM guest_tokens WHERE last_used_at < $1
         ORDER BY last_used_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       unused AS (
         SELECT token_hash FROM guest_tokens WHERE NOT carted AND last_used_at < $2
         ORDER BY last_used_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       tokens AS (
         DELETE FROM guest_tokens
         WHERE token_hash IN (SELECT token_hash FROM idle UNION SELECT token_hash FROM unused)
         RETURNING token_hash),
       carts_of_tokens AS (
         DELETE FROM carts WHERE guest_token IN (SELECT token_hash FROM tokens) RETURNING id),
       orphans AS (
         DELETE FROM carts WHERE id IN (
           SELECT c.id FROM carts c
           WHERE c.guest_token IS NOT NULL AND c.updated_at < $1
             AND NOT EXISTS (SELECT 1 FROM guest_tokens g WHERE g.token_hash = c.guest_token)
           ORDER BY c.updated_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id)
       SELECT (SELECT count(*) FROM tokens) + (SELECT count(*) FROM carts_of_tokens)
            + (SELECT count(*) FROM orphans) AS n`,
      [idleBefore, unusedBefore, limit],
    );
    return Number(n);
  }
}

interface CheckoutRow {
  key: string;
  account_id: string;
  order_id: string;
  reservation_id: string;
  request_hash: string;
  status: CheckoutRecord['status'];
  error_code: string | null;
  error_message: string | null;
  coupon_codes: string[];
  created_at: Date;
  attempt_id: string | null;
  heartbeat_at: Date | null;
  attempts: number;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const CHECKOUT_COLUMNS = `key, account_id, order_id, reservation_id, request_hash, status, error_code,
  error_message, coupon_codes, created_at, attempt_id, heartbeat_at, attempts`;

const toCheckout = (r: CheckoutRow): CheckoutRecord => ({
  key: r.key,
  accountId: r.account_id,
  orderId: r.order_id,
  reservationId: r.reservation_id,
  requestHash: r.request_hash,
  status: r.status,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  couponCodes: r.coupon_codes,
  createdAt: r.created_at,
  // records of earlier releases have no attempt and no heartbeat: their start stands in
  attemptId: r.attempt_id ?? '',
  heartbeatAt: r.heartbeat_at ?? r.created_at,
  attempts: r.attempts,
});

/** The same, of the `made` CTE (the inserted record) in `create`. */
const MADE_CHECKOUT_COLUMNS = qualified('made', CHECKOUT_COLUMNS);

/** A cart's columns in a join with another table's (`carts c`), each prefixed `cart_`. */
type CartColumnsOf = { [K in keyof CartRow as `cart_${K}`]: CartRow[K] | null };
const CART_COLUMNS_OF = qualified('c', CART_COLUMNS, 'cart_');

/** The cart of a LEFT JOIN (`CART_COLUMNS_OF`); null when the join found none. */
const cartOf = (r: CartColumnsOf): Cart | null =>
  r.cart_id === null ? null : toCart(unprefixed<CartRow>(r, 'cart_'));

export class SqlCheckoutRepository implements CheckoutRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async create(c: Omit<CheckoutRecord, 'attempts'>): Promise<CheckoutCreated | null> {
    // one statement: the new record comes back from the insert with the account's cart, read by
    // the same statement (a LEFT JOIN on carts' unique account_id: no cart, no cart columns).
    // A key with a record inserts nothing (a concurrent insert of the key is waited for) and
    // answers no row: the caller reads and locks that record in a transaction of its own
    const inserted = await this.sql.rows<CheckoutRow & CartColumnsOf>(
      `WITH made AS (
         INSERT INTO checkouts (key, account_id, order_id, reservation_id, request_hash, status, coupon_codes, created_at,
                                attempt_id, heartbeat_at, attempts)
         VALUES ($1, $2, $3, $4, $5, 'STARTED', $6, $7, $8, $9, 1) ON CONFLICT (key) DO NOTHING
         RETURNING ${CHECKOUT_COLUMNS})
       SELECT ${MADE_CHECKOUT_COLUMNS}, ${CART_COLUMNS_OF}
         FROM made LEFT JOIN carts c ON c.account_id = made.account_id`,
      [
        c.key,
        c.accountId,
        c.orderId,
        c.reservationId,
        c.requestHash,
        c.couponCodes,
        c.createdAt,
        c.attemptId,
        c.heartbeatAt,
      ],
    );
    const r = inserted[0];
    return r ? { record: toCheckout(r), cart: cartOf(r) } : null;
  }

  async lock(key: string): Promise<CheckoutRecord | null> {
    const r = await this.sql.one<CheckoutRow>(
      `SELECT ${CHECKOUT_COLUMNS} FROM checkouts WHERE key = $1 FOR UPDATE`,
      [key],
    );
    return r ? toCheckout(r) : null;
  }

  async takeOver(
    key: string,
    a: { attemptId: string; reservationId: string; now: Date },
  ): Promise<CheckoutRecord> {
    const rows = await this.sql.rows<CheckoutRow>(
      `WITH taken AS (
         UPDATE checkouts SET status = 'STARTED', attempt_id = $2, reservation_id = $3, heartbeat_at = $4,
                attempts = attempts + 1, error_code = NULL, error_message = NULL, finished_at = NULL
          WHERE key = $1 RETURNING ${CHECKOUT_COLUMNS})
       SELECT ${CHECKOUT_COLUMNS} FROM taken`,
      [key, a.attemptId, a.reservationId, a.now],
    );
    return toCheckout(rows[0]);
  }

  async heartbeat(key: string, attemptId: string, now: Date): Promise<boolean> {
    const rows = await this.sql.rows<{ key: string }>(
      `WITH beat AS (
         UPDATE checkouts SET heartbeat_at = $3 WHERE key = $1 AND attempt_id = $2 AND status = 'STARTED'
         RETURNING key)
       SELECT key FROM beat`,
      [key, attemptId, now],
    );
    return rows.length === 1;
  }

  async releaseLease(key: string, attemptId: string, expiredAt: Date): Promise<void> {
    await this.sql.run(
      `UPDATE checkouts SET heartbeat_at = LEAST(heartbeat_at, $3) WHERE key = $1 AND attempt_id = $2 AND status = 'STARTED'`,
      [key, attemptId, expiredAt],
    );
  }

  async finish(
    key: string,
    status: 'PLACED' | 'FAILED' | 'ABANDONED',
    error?: { code: string; message: string },
  ): Promise<void> {
    await this.sql.runAtCommit(
      `UPDATE checkouts SET status = $2, error_code = $3, error_message = $4, finished_at = now() WHERE key = $1`,
      [key, status, error?.code ?? null, error?.message ?? null],
    );
  }

  async markPlacedAndLockCart(
    key: string,
    attemptId: string,
    cart: { accountId: string; newId: string; now: Date },
  ): Promise<Cart | null> {
    // one round trip for what were two statements. The cart's insert reads its one row from
    // `placed` (EXISTS): the checkout's UPDATE runs first, waiting for the record's row lock and
    // re-checking the attempt on the row's latest version, and when the attempt owns it no more
    // the insert has no row, so no cart is inserted or locked and nothing is written. Otherwise
    // the cart is upserted as `SqlCartRepository.lock` does: in READ COMMITTED, ON CONFLICT DO
    // UPDATE locks the row's latest version, even one committed after this statement's snapshot
    // (while it waited for either lock), and returns it. Lock order: the record, then the cart
    const rows = await this.sql.rows<CartRow>(
      `WITH placed AS (
         UPDATE checkouts SET status = 'PLACED', error_code = NULL, error_message = NULL, finished_at = now()
          WHERE key = $1 AND status = 'STARTED' AND attempt_id = $2 RETURNING key),
       locked AS (
         INSERT INTO carts (id, account_id, lines, updated_at)
         SELECT $3::uuid, $4::uuid, '[]'::jsonb, $5::timestamptz WHERE EXISTS (SELECT 1 FROM placed)
         ON CONFLICT (account_id) DO UPDATE SET id = carts.id RETURNING ${CART_COLUMNS})
       SELECT ${CART_COLUMNS} FROM locked`,
      [key, attemptId, cart.newId, cart.accountId, cart.now],
    );
    return rows[0] ? toCart(rows[0]) : null;
  }

  async stale(olderThan: Date, limit: number): Promise<CheckoutRecord[]> {
    const rows = await this.sql.rows<CheckoutRow>(
      `SELECT ${CHECKOUT_COLUMNS} FROM checkouts WHERE status = 'STARTED' AND COALESCE(heartbeat_at, created_at) < $1
        ORDER BY COALESCE(heartbeat_at, created_at) LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map(toCheckout);
  }
}

interface PaymentRow {
  id: string;
  order_id: string;
  provider: string;
  provider_txn_id: string | null;
  amount_minor: string;
  currency: string;
  status: PaymentRecord['status'];
  created_at: Date;
  redirect_url: string | null;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements"). What `toPayment` reads (not `updated_at`).
const PAYMENT_COLUMNS =
  'id, order_id, provider, provider_txn_id, amount_minor, currency, status, created_at, redirect_url';
/** The same, of `payments p` in a join. */
const P_PAYMENT_COLUMNS = qualified('p', PAYMENT_COLUMNS);

const toPayment = (r: PaymentRow): PaymentRecord => ({
  id: r.id,
  orderId: r.order_id,
  provider: r.provider,
  providerTxnId: r.provider_txn_id,
  amount: Money.of(Number(r.amount_minor), r.currency.trim()),
  status: r.status,
  createdAt: r.created_at,
  redirectUrl: r.redirect_url,
});

/** The orders columns of `o` (a CTE in `openAttemptOnOrder`, the table in `findWithOrderForUpdate`). */
const O_ORDER_COLUMNS = qualified('o', ORDER_COLUMNS);

/**
 * The payment columns of `payments p` in a join with an order's, each prefixed `pay_` (no order
 * column starts so: `unprefixed` reads the payment's back).
 */
type PayPaymentColumns = { [K in keyof PaymentRow as `pay_${K}`]: PaymentRow[K] };
const PAY_PAYMENT_COLUMNS = qualified('p', PAYMENT_COLUMNS, 'pay_');

/** The payment columns of the `made` CTE in a join with an order's, each prefixed `made_`. */
type MadePaymentColumns = { [K in keyof PaymentRow as `made_${K}`]: PaymentRow[K] | null };
const MADE_PAYMENT_COLUMNS = qualified('made', PAYMENT_COLUMNS, 'made_');

/** The payment of a LEFT JOIN on `made` (`MADE_PAYMENT_COLUMNS`); null when nothing was made. */
const madePayment = (r: MadePaymentColumns): PaymentRecord | null =>
  r.made_id === null ? null : toPayment(unprefixed<PaymentRow>(r, 'made_'));

export class SqlPaymentRepository implements PaymentRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async openAttempt(p: PaymentRecord): Promise<PaymentRecord> {
    // a concurrent caller's uncommitted attempt makes this wait, then do nothing: the SELECT
    // (a new snapshot) then sees that attempt
    const inserted = await this.sql.rows<PaymentRow>(
      `WITH made AS (
         INSERT INTO payments (id, order_id, provider, provider_txn_id, amount_minor, currency, status, created_at, redirect_url)
         VALUES ($1, $2, $3, NULL, $4, $5, 'STARTED', $6, $7)
         ON CONFLICT (order_id, provider) WHERE status = 'STARTED' DO NOTHING RETURNING ${PAYMENT_COLUMNS})
       SELECT ${PAYMENT_COLUMNS} FROM made`,
      [
        p.id,
        p.orderId,
        p.provider,
        p.amount.amountMinor,
        p.amount.currency,
        p.createdAt,
        p.redirectUrl ?? null,
      ],
    );
    if (inserted[0]) return toPayment(inserted[0]);
    const open = await this.sql.rows<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = $1 AND provider = $2 AND status = 'STARTED'`,
      [p.orderId, p.provider],
    );
    // closed between the two statements (a failure reported meanwhile): open a new one
    return open[0] ? toPayment(open[0]) : this.openAttempt(p);
  }

  async openAttemptOnOrder(
    p: AttemptOnOrder,
  ): Promise<{ order: Order | null; made: PaymentRecord | null }> {
    // the order and the attempt in one statement (one snapshot): the insert runs only when the
    // order passes the caller's checks (its account's, PENDING_PAYMENT), compared as the caller
    // compares them; a concurrent caller's uncommitted attempt makes it wait, then do nothing
    const r = await this.sql.one<OrderRow & MadePaymentColumns>(
      `WITH o AS (SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1),
       made AS (
         INSERT INTO payments (id, order_id, provider, provider_txn_id, amount_minor, currency, status, created_at, redirect_url)
         SELECT $2::uuid, o.id, $3::text, NULL, o.total_minor, o.currency, 'STARTED', $4::timestamptz, NULL
           FROM o WHERE o.account_id::text = $5::text AND o.status = 'PENDING_PAYMENT'
         ON CONFLICT (order_id, provider) WHERE status = 'STARTED' DO NOTHING RETURNING ${PAYMENT_COLUMNS})
       SELECT ${O_ORDER_COLUMNS}, ${MADE_PAYMENT_COLUMNS} FROM o LEFT JOIN made ON true`,
      [p.orderId, p.id, p.provider, p.createdAt, p.accountId],
    );
    if (!r) return { order: null, made: null };
    return { order: toOrder(r), made: madePayment(r) };
  }

  async recordPage(id: string, redirectUrl: string): Promise<void> {
    await this.sql.runAtCommit(`UPDATE payments SET redirect_url = $2 WHERE id = $1`, [
      id,
      redirectUrl,
    ]);
  }

  async findByRequestKey(orderId: string, requestKey: string): Promise<PaymentRecord | null> {
    const r = await this.sql.one<PaymentRow>(
      `SELECT ${P_PAYMENT_COLUMNS} FROM payment_requests r JOIN payments p ON p.id = r.payment_id
        WHERE r.order_id = $1 AND r.request_key = $2`,
      [orderId, requestKey],
    );
    return r ? toPayment(r) : null;
  }

  async rememberRequestKey(
    orderId: string,
    requestKey: string,
    paymentId: string,
    now: Date,
  ): Promise<void> {
    // held for the commit: its answer is not read
    await this.sql.runAtCommit(
      `INSERT INTO payment_requests (order_id, request_key, payment_id, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id, request_key) DO NOTHING`,
      [orderId, requestKey, paymentId, now],
    );
  }

  async setRedirect(id: string, redirectUrl: string): Promise<string> {
    const rows = await this.sql.rows<{ redirect_url: string }>(
      `WITH kept AS (
         UPDATE payments SET redirect_url = COALESCE(redirect_url, $2), updated_at = now() WHERE id = $1
         RETURNING redirect_url)
       SELECT redirect_url FROM kept`,
      [id, redirectUrl],
    );
    return rows[0]?.redirect_url ?? redirectUrl;
  }

  async closeAttempts(orderId: string, provider: string): Promise<void> {
    await this.sql.run(
      `UPDATE payments SET status = 'FAILED', updated_at = now()
        WHERE order_id = $1 AND provider = $2 AND status = 'STARTED'`,
      [orderId, provider],
    );
  }

  async find(id: string): Promise<PaymentRecord | null> {
    const r = await this.sql.one<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE id = $1`,
      [id],
    );
    return r ? toPayment(r) : null;
  }

  async findWithOrderForUpdate(
    id: string,
    accountId: string,
  ): Promise<{ payment: PaymentRecord; order: Order } | null> {
    // the order's row lock is taken only on a row the statement returns: another account's
    // order (or an unknown payment) answers nothing and locks nothing. Under the lock the order
    // is its latest committed version, as `findForUpdate` reads it
    const r = await this.sql.one<OrderRow & PayPaymentColumns>(
      `SELECT ${PAY_PAYMENT_COLUMNS}, ${O_ORDER_COLUMNS}
         FROM payments p JOIN orders o ON o.id = p.order_id
        WHERE p.id = $1 AND o.account_id::text = $2::text
          FOR UPDATE OF o`,
      [id, accountId],
    );
    return r ? { payment: toPayment(unprefixed<PaymentRow>(r, 'pay_')), order: toOrder(r) } : null;
  }

  async findByProviderTxn(provider: string, txnId: string): Promise<PaymentRecord | null> {
    const r = await this.sql.one<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE provider = $1 AND provider_txn_id = $2`,
      [provider, txnId],
    );
    return r ? toPayment(r) : null;
  }

  async recordTxn(p: PaymentRecord): Promise<boolean> {
    const rows = await this.sql.rows<{ id: string }>(
      `INSERT INTO payments (id, order_id, provider, provider_txn_id, amount_minor, currency, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (provider, provider_txn_id) WHERE provider_txn_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        p.id,
        p.orderId,
        p.provider,
        p.providerTxnId,
        p.amount.amountMinor,
        p.amount.currency,
        p.status,
        p.createdAt,
      ],
    );
    return rows.length === 1;
  }

  async succeededFor(orderId: string): Promise<PaymentRecord[]> {
    const rows = await this.sql.rows<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE order_id = $1 AND status = 'SUCCEEDED' ORDER BY created_at`,
      [orderId],
    );
    return rows.map(toPayment);
  }

  async setStatus(id: string, status: PaymentRecord['status']): Promise<void> {
    await this.sql.run(`UPDATE payments SET status = $2, updated_at = now() WHERE id = $1`, [
      id,
      status,
    ]);
  }
}

interface ShipmentRow {
  id: string;
  order_id: string;
  return_id: string | null;
  warehouse_code: string;
  lines: Shipment['lines'];
  status: Shipment['status'];
  carrier: string | null;
  tracking_number: string | null;
  events: {
    eventId: string;
    status: Shipment['events'][number]['status'];
    description: string;
    occurredAt: string;
  }[];
  created_at: Date;
  updated_at: Date;
}

// named, not `*`: statements with `*` columns are never prepared (libs/persistence README,
// "Prepared statements")
const SHIPMENT_COLUMNS = `id, order_id, return_id, warehouse_code, lines, status, carrier,
  tracking_number, events, created_at, updated_at`;

const toShipment = (r: ShipmentRow): Shipment => ({
  id: r.id,
  orderId: r.order_id,
  returnId: r.return_id,
  warehouseCode: r.warehouse_code,
  lines: r.lines,
  status: r.status,
  carrier: r.carrier,
  trackingNumber: r.tracking_number,
  events: r.events.map((e) => ({ ...e, occurredAt: new Date(e.occurredAt) })),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqlShipmentRepository implements ShipmentRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async byOrder(orderId: string): Promise<Shipment[]> {
    const rows = await this.sql.rows<ShipmentRow>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE order_id = $1 ORDER BY warehouse_code`,
      [orderId],
    );
    return rows.map(toShipment);
  }

  async find(id: string, forUpdate = false): Promise<Shipment | null> {
    const r = await this.sql.one<ShipmentRow>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return r ? toShipment(r) : null;
  }

  async findByTracking(carrier: string, trackingNumber: string): Promise<Shipment | null> {
    const r = await this.sql.one<ShipmentRow>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE carrier = $1 AND tracking_number = $2`,
      [carrier, trackingNumber],
    );
    return r ? toShipment(r) : null;
  }

  async insert(shipments: Shipment[]): Promise<void> {
    for (const s of shipments)
      await this.sql.runAtCommit(
        `INSERT INTO shipments (id, order_id, warehouse_code, lines, status, carrier, tracking_number, events, created_at, updated_at, return_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          s.id,
          s.orderId,
          s.warehouseCode,
          JSON.stringify(s.lines),
          s.status,
          s.carrier,
          s.trackingNumber,
          JSON.stringify(s.events),
          s.createdAt,
          s.updatedAt,
          s.returnId,
        ],
      );
  }

  async save(s: Shipment): Promise<void> {
    try {
      await this.sql.run(
        `UPDATE shipments SET status = $2, carrier = $3, tracking_number = $4, events = $5, updated_at = $6 WHERE id = $1`,
        [s.id, s.status, s.carrier, s.trackingNumber, JSON.stringify(s.events), s.updatedAt],
      );
    } catch (e) {
      if (isUniqueViolation(e))
        throw new OrderError(
          'ALREADY_EXISTS',
          'TRACKING_NUMBER_TAKEN',
          `${s.carrier} ${s.trackingNumber} already tracks another shipment`,
        );
      throw e;
    }
  }

  async ordersAwaitingShipments(limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT o.id FROM orders o WHERE o.status = 'PAID' AND o.reservation_synced
         AND (o.group_status IS NULL OR o.group_status = 'CONFIRMED')
         AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id AND s.return_id IS NULL)
       ORDER BY o.updated_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}

interface ReturnRow {
  id: string;
  order_id: string;
  account_id: string;
  lines: ReturnRequest['lines'];
  reason: string;
  kind: ReturnRequest['kind'];
  status: ReturnRequest['status'];
  refund_minor: string | null;
  currency: string | null;
  note: string | null;
  restocked: boolean;
  items_mismatch: boolean;
  created_at: Date;
  updated_at: Date;
}

const toReturn = (r: ReturnRow): ReturnRequest => ({
  id: r.id,
  orderId: r.order_id,
  accountId: r.account_id,
  lines: r.lines,
  reason: r.reason,
  kind: r.kind,
  status: r.status,
  refund:
    r.refund_minor === null || !r.currency
      ? null
      : Money.of(Number(r.refund_minor), r.currency.trim()),
  note: r.note,
  restocked: r.restocked,
  itemsMismatch: r.items_mismatch,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class SqlReturnRepository implements ReturnRepository {
  private readonly sql: Sql;
  constructor(
    m: EntityManager,
    /** The transaction's outbox: a change's events are appended with it. */
    private readonly events: OrderEvents,
  ) {
    this.sql = new Sql(m);
  }

  async byOrder(orderId: string): Promise<ReturnRequest[]> {
    const rows = await this.sql.rows<ReturnRow>(
      `SELECT * FROM returns WHERE order_id = $1 ORDER BY created_at, id`,
      [orderId],
    );
    return rows.map(toReturn);
  }

  async find(id: string, forUpdate = false): Promise<ReturnRequest | null> {
    const r = await this.sql.one<ReturnRow>(
      `SELECT * FROM returns WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return r ? toReturn(r) : null;
  }

  async insert(r: ReturnRequest): Promise<void> {
    await this.sql.run(
      `INSERT INTO returns (id, order_id, account_id, lines, reason, status, refund_minor, currency, note, restocked, created_at, updated_at, kind, items_mismatch)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        r.id,
        r.orderId,
        r.accountId,
        JSON.stringify(r.lines),
        r.reason,
        r.status,
        r.refund?.amountMinor ?? null,
        r.refund?.currency ?? null,
        r.note,
        r.restocked,
        r.createdAt,
        r.updatedAt,
        r.kind,
        r.itemsMismatch,
      ],
    );
  }

  async save(change: ReturnChange): Promise<void> {
    const r = change.request;
    const n = await this.sql.affected(
      `UPDATE returns SET status = $2, refund_minor = $3, currency = $4, note = $5, restocked = $6, updated_at = $7,
         kind = $8, items_mismatch = $9
       WHERE id = $1`,
      [
        r.id,
        r.status,
        r.refund?.amountMinor ?? null,
        r.refund?.currency ?? null,
        r.note,
        r.restocked,
        r.updatedAt,
        r.kind,
        r.itemsMismatch,
      ],
    );
    if (n !== 1) throw new Error(`return ${r.id} is not stored`);
    appendReturnEvents(this.events, change.events);
  }

  async claimRestock(id: string, now: Date, staleBefore: Date): Promise<boolean> {
    const n = await this.sql.affected(
      `UPDATE returns SET restock_claimed_at = $2
       WHERE id = $1 AND status = 'RECEIVED' AND NOT restocked AND (restock_claimed_at IS NULL OR restock_claimed_at < $3)`,
      [id, now, staleBefore],
    );
    return n === 1;
  }

  async unfinished(limit: number, olderThan: Date): Promise<string[]> {
    const rows = await this.sql.rows<{ id: string }>(
      `SELECT id FROM returns WHERE status IN ('RECEIVED', 'REFUNDING') AND updated_at < $2 ORDER BY updated_at LIMIT $1`,
      [limit, olderThan],
    );
    return rows.map((r) => r.id);
  }
}
