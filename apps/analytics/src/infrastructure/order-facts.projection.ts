import type { Sql } from '@emporia/persistence';
import type {
  CartChangedFact,
  Fact,
  OrderPaidFact,
  OrderPlacedFact,
  OrderRefundedFact,
} from '../domain/facts';
import { DIRECT } from '../domain/figures';
import type { Projection } from './projection';

/** A line of `order_facts.lines` (the shared contract other areas read). */
export interface OrderLineJson {
  skuId: string;
  productId: string;
  quantity: number;
  unitPriceMinor: number;
  totalMinor: number;
}

interface PaidOrderRow {
  account_id: string;
  channel: string;
  currency: string;
  units: number;
}

interface TouchRow {
  source: string;
  medium: string;
  campaign: string;
}

const addKpi = (
  sql: Sql,
  key: { day: string; channel: string; currency: string },
  add: { orders?: number; paidOrders?: number; gmv?: number; units?: number; refunds?: number },
) =>
  sql.run(
    `INSERT INTO kpi_daily (day, channel, currency, orders, paid_orders, gmv_minor, units, refunds_minor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (day, channel, currency) DO UPDATE SET
       orders = kpi_daily.orders + EXCLUDED.orders,
       paid_orders = kpi_daily.paid_orders + EXCLUDED.paid_orders,
       gmv_minor = kpi_daily.gmv_minor + EXCLUDED.gmv_minor,
       units = kpi_daily.units + EXCLUDED.units,
       refunds_minor = kpi_daily.refunds_minor + EXCLUDED.refunds_minor`,
    [
      key.day,
      key.channel,
      key.currency,
      add.orders ?? 0,
      add.paidOrders ?? 0,
      add.gmv ?? 0,
      add.units ?? 0,
      add.refunds ?? 0,
    ],
  );

async function placed(sql: Sql, f: OrderPlacedFact): Promise<void> {
  const lines: OrderLineJson[] = f.lines.map((l) => ({
    skuId: l.skuId,
    productId: l.productId,
    quantity: l.quantity,
    unitPriceMinor: l.unitPrice.amountMinor,
    totalMinor: l.total.amountMinor,
  }));
  const units = f.lines.reduce((s, l) => s + l.quantity, 0);
  // an order is placed once; a row made by an earlier OrderPaid (no placement yet) is completed
  const fresh = await sql.one<{ paid_day: string | null; channel: string; currency: string }>(
    `INSERT INTO order_facts (order_id, account_id, channel, currency, total_minor, placed_at,
       placed_day, units, lines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     ON CONFLICT (order_id) DO UPDATE SET total_minor = EXCLUDED.total_minor,
       placed_at = EXCLUDED.placed_at, placed_day = EXCLUDED.placed_day, lines = EXCLUDED.lines,
       units = EXCLUDED.units
       WHERE order_facts.placed_at IS NULL
     RETURNING to_char(paid_day, 'YYYY-MM-DD') AS paid_day, channel, currency`,
    [
      f.orderId,
      f.accountId,
      f.channel,
      f.total.currency,
      f.total.amountMinor,
      f.placedAt,
      f.day,
      units,
      JSON.stringify(lines),
    ],
  );
  if (!fresh) return;
  // counted under the channel the order has in order_facts (see README: paid before placed)
  await addKpi(
    sql,
    { day: f.day, channel: fresh.channel, currency: fresh.currency },
    { orders: 1 },
  );
  if (fresh.paid_day)
    await addKpi(
      sql,
      { day: fresh.paid_day, channel: fresh.channel, currency: fresh.currency },
      { units },
    );
  // an abandoned cart followed by an order is recovered
  await sql.run(
    `UPDATE cart_abandonments SET recovered = true
      WHERE account_id = $1 AND cart_updated_at < $2 AND NOT recovered`,
    [f.accountId, f.placedAt],
  );
}

async function touch(sql: Sql, accountId: string, paidAt: Date, last: boolean): Promise<TouchRow> {
  const dir = last ? 'DESC' : 'ASC';
  const t = await sql.one<TouchRow>(
    `SELECT t.source, t.medium, t.campaign FROM utm_touches t
       JOIN visitor_accounts va ON va.anonymous_id = t.anonymous_id
      WHERE va.account_id = $1 AND t.occurred_at <= $2
      ORDER BY t.occurred_at ${dir}, t.event_id ${dir} LIMIT 1`,
    [accountId, paidAt],
  );
  return t ?? DIRECT;
}

async function paid(sql: Sql, f: OrderPaidFact): Promise<void> {
  const amount = f.amountPaid.amountMinor;
  let order = await sql.one<PaidOrderRow>(
    `UPDATE order_facts SET paid_at = $2, paid_day = $3, paid_minor = $4
      WHERE order_id = $1 AND paid_at IS NULL
      RETURNING account_id, channel, currency, units`,
    [f.orderId, f.paidAt, f.day, amount],
  );
  if (!order) {
    // paid before its placement was seen (or paid twice): record it once, without lines
    order = await sql.one<PaidOrderRow>(
      `INSERT INTO order_facts (order_id, account_id, channel, currency, paid_at, paid_day, paid_minor)
         VALUES ($1, $2, '', $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING
       RETURNING account_id, channel, currency, units`,
      [f.orderId, f.accountId, f.amountPaid.currency, f.paidAt, f.day, amount],
    );
    if (!order) return;
  }
  const account = order.account_id;
  await addKpi(
    sql,
    { day: f.day, channel: order.channel, currency: order.currency },
    { paidOrders: 1, gmv: amount, units: order.units },
  );
  await sql.run(
    `INSERT INTO buyer_days (day, channel, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [f.day, order.channel, account],
  );
  // the first paid order: the smallest (paid_at, order id), whatever order the events came in
  await sql.run(
    `INSERT INTO buyers (account_id, first_order_id, first_paid_at, first_day, first_channel)
       VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (account_id) DO UPDATE SET first_order_id = EXCLUDED.first_order_id,
       first_paid_at = EXCLUDED.first_paid_at, first_day = EXCLUDED.first_day,
       first_channel = EXCLUDED.first_channel
     WHERE (EXCLUDED.first_paid_at, EXCLUDED.first_order_id) < (buyers.first_paid_at, buyers.first_order_id)`,
    [account, f.orderId, f.paidAt, f.day, order.channel],
  );
  const first = await touch(sql, account, f.paidAt, false);
  const last = await touch(sql, account, f.paidAt, true);
  await sql.run(
    `INSERT INTO order_attribution (order_id, paid_day, currency, amount_minor, first_source,
       first_medium, first_campaign, last_source, last_medium, last_campaign)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (order_id) DO NOTHING`,
    [
      f.orderId,
      f.day,
      order.currency,
      amount,
      first.source,
      first.medium,
      first.campaign,
      last.source,
      last.medium,
      last.campaign,
    ],
  );
  for (const [model, t] of [
    ['first_touch', first],
    ['last_touch', last],
  ] as const)
    await sql.run(
      `INSERT INTO attribution_daily (day, model, source, medium, campaign, currency, paid_orders, gmv_minor)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7)
       ON CONFLICT (day, model, source, medium, campaign, currency) DO UPDATE SET
         paid_orders = attribution_daily.paid_orders + 1,
         gmv_minor = attribution_daily.gmv_minor + EXCLUDED.gmv_minor`,
      [f.day, model, t.source, t.medium, t.campaign, order.currency, amount],
    );
}

async function refunded(sql: Sql, f: OrderRefundedFact): Promise<void> {
  const order = await sql.one<{ channel: string; currency: string }>(
    `UPDATE order_facts SET refunded_minor = refunded_minor + $2 WHERE order_id = $1
     RETURNING channel, currency`,
    [f.orderId, f.amount.amountMinor],
  );
  await addKpi(
    sql,
    { day: f.day, channel: order?.channel ?? '', currency: order?.currency ?? f.amount.currency },
    { refunds: f.amount.amountMinor },
  );
}

async function cartChanged(sql: Sql, f: CartChangedFact): Promise<void> {
  if (!f.accountId) return;
  const items = f.lines.reduce((s, l) => s + l.quantity, 0);
  // a line order could not price makes the subtotal unknown (no currency, 0), not a partial sum
  const priced = f.lines.every((l) => l.unitPrice !== null);
  const currency =
    f.subtotal?.currency ?? (priced ? f.lines[0]?.unitPrice?.currency : null) ?? null;
  const subtotal =
    f.subtotal?.amountMinor ??
    (priced ? f.lines.reduce((s, l) => s + l.quantity * (l.unitPrice?.amountMinor ?? 0), 0) : 0);
  const lines = f.lines.map((l) => ({
    skuId: l.skuId,
    productId: l.productId,
    quantity: l.quantity,
  }));
  // the newest change wins, whatever order the events came in
  await sql.run(
    `INSERT INTO cart_state (account_id, lines, items, subtotal_minor, currency, updated_at)
       VALUES ($1, $2::jsonb, $3, $4, $5, $6)
     ON CONFLICT (account_id) DO UPDATE SET lines = EXCLUDED.lines, items = EXCLUDED.items,
       subtotal_minor = EXCLUDED.subtotal_minor, currency = EXCLUDED.currency,
       updated_at = EXCLUDED.updated_at
     WHERE cart_state.updated_at <= EXCLUDED.updated_at`,
    [f.accountId, JSON.stringify(lines), items, subtotal, currency, f.changedAt],
  );
}

/**
 * Order and cart facts: `order_facts` (written before any other area's projection sees the
 * fact), the KPI rollups (kpi_daily, buyers, buyer_days), attribution of paid orders, and the
 * cart state the abandonment sweep reads.
 */
export const orderFactsProjection: Projection = {
  name: 'collection-orders',
  kinds: [
    'order_placed',
    'order_paid',
    'order_cancelled',
    'order_refunded',
    'cart_changed',
    'account_deleted',
  ],
  async apply(sql: Sql, fact: Fact): Promise<void> {
    switch (fact.kind) {
      case 'order_placed':
        return placed(sql, fact);
      case 'order_paid':
        return paid(sql, fact);
      case 'order_refunded':
        return refunded(sql, fact);
      case 'order_cancelled':
        await sql.run(
          `UPDATE order_facts SET cancelled_at = $2 WHERE order_id = $1 AND cancelled_at IS NULL`,
          [fact.orderId, fact.cancelledAt],
        );
        return;
      case 'cart_changed':
        return cartChanged(sql, fact);
      case 'account_deleted':
        await sql.run(`DELETE FROM cart_state WHERE account_id = $1`, [fact.accountId]);
        return;
      default:
        return;
    }
  },
};
