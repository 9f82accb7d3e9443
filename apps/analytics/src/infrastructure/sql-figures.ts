import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type {
  AbandonedCartView,
  Figures,
  FunnelFilters,
  KpiSplit,
} from '../application/collection.ports';
import type { DayRange } from '../domain/days';
import type { AttributionRow, FunnelStepName, KpiDay } from '../domain/figures';
import { STEP_BIT } from '../domain/figures';

interface KpiRow {
  day: string;
  channel: string;
  currency: string;
  orders: string;
  paid_orders: string;
  gmv_minor: string;
  units: string;
  refunds_minor: string;
  payers: string;
  new_buyers: string;
}

interface CountRow {
  payers: string;
  new_buyers: string;
}

interface FunnelRow {
  view: string;
  cart: string;
  checkout: string;
  paid: string;
}

interface AttributionSqlRow {
  source: string;
  medium: string;
  campaign: string;
  currency: string;
  paid_orders: string;
  gmv_minor: string;
}

interface AbandonedRow {
  account_id: string;
  cart_updated_at: Date;
  abandoned_at: Date;
  items: number;
  subtotal_minor: string;
  currency: string | null;
  recovered: boolean;
}

const toKpiDay = (r: KpiRow): KpiDay => ({
  day: r.day,
  channel: r.channel,
  currency: r.currency,
  orders: Number(r.orders),
  paidOrders: Number(r.paid_orders),
  gmvMinor: Number(r.gmv_minor),
  units: Number(r.units),
  refundsMinor: Number(r.refunds_minor),
  newBuyers: Number(r.new_buyers),
  returningBuyers: Math.max(0, Number(r.payers) - Number(r.new_buyers)),
});

const VIEW = STEP_BIT.product_view;
const CART = VIEW | STEP_BIT.add_to_cart;
const CHECKOUT = CART | STEP_BIT.checkout_started;

/**
 * The operator figures over the rollups (never the raw facts): kpi_daily with buyers and
 * buyer_days for new and returning buyers, funnel_visitor_days with the identity map for the
 * funnel, attribution_daily, cart_abandonments.
 */
export class SqlFigures implements Figures {
  private readonly sql: Sql;
  constructor(ds: DataSource) {
    this.sql = new Sql(ds);
  }

  async kpiDays(range: DayRange, split: KpiSplit): Promise<KpiDay[]> {
    const all = split.by === 'all';
    const channel = split.by === 'one' ? split.channel : null;
    // payers: distinct accounts paying that day (in that channel); new: first paid order then
    const rows = await this.sql.rows<KpiRow>(
      `WITH k AS (
         SELECT day, ${all ? `'all'` : 'channel'} AS channel, currency,
                sum(orders) AS orders, sum(paid_orders) AS paid_orders, sum(gmv_minor) AS gmv_minor,
                sum(units) AS units, sum(refunds_minor) AS refunds_minor
           FROM kpi_daily
          WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR channel = $3)
          GROUP BY 1, 2, 3
       ), p AS (
         SELECT day, ${all ? `'all'` : 'channel'} AS channel, count(DISTINCT account_id) AS payers
           FROM buyer_days
          WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR channel = $3)
          GROUP BY 1, 2
       ), n AS (
         SELECT first_day AS day, ${all ? `'all'` : 'first_channel'} AS channel, count(*) AS new_buyers
           FROM buyers
          WHERE first_day BETWEEN $1 AND $2 AND ($3::text IS NULL OR first_channel = $3)
          GROUP BY 1, 2
       )
       SELECT to_char(k.day, 'YYYY-MM-DD') AS day, k.channel, k.currency, k.orders, k.paid_orders,
              k.gmv_minor, k.units, k.refunds_minor,
              coalesce(p.payers, 0) AS payers, coalesce(n.new_buyers, 0) AS new_buyers
         FROM k
         LEFT JOIN p ON p.day = k.day AND p.channel = k.channel
         LEFT JOIN n ON n.day = k.day AND n.channel = k.channel
        ORDER BY k.day, k.channel, k.currency`,
      [range.from, range.to, channel],
    );
    return rows.map(toKpiDay);
  }

  async buyersInRange(
    range: DayRange,
    channel: string | null,
  ): Promise<{ payers: number; newBuyers: number }> {
    const r = await this.sql.one<CountRow>(
      `SELECT
         (SELECT count(DISTINCT account_id) FROM buyer_days
           WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR channel = $3)) AS payers,
         (SELECT count(*) FROM buyers
           WHERE first_day BETWEEN $1 AND $2 AND ($3::text IS NULL OR first_channel = $3)) AS new_buyers`,
      [range.from, range.to, channel],
    );
    return { payers: Number(r?.payers ?? 0), newBuyers: Number(r?.new_buyers ?? 0) };
  }

  async funnel(range: DayRange, f: FunnelFilters): Promise<Record<FunnelStepName, number>> {
    const r = await this.sql.one<FunnelRow>(
      `WITH v AS (
         SELECT anonymous_id, bit_or(steps) AS steps FROM funnel_visitor_days
          WHERE day BETWEEN $1 AND $2 AND ($3 = '' OR channel = $3)
            AND ($4 = '' OR utm_source = $4) AND ($5 = '' OR device = $5)
          GROUP BY anonymous_id
       )
       SELECT count(*) FILTER (WHERE steps & ${VIEW} = ${VIEW}) AS view,
              count(*) FILTER (WHERE steps & ${CART} = ${CART}) AS cart,
              count(*) FILTER (WHERE steps & ${CHECKOUT} = ${CHECKOUT}) AS checkout,
              count(*) FILTER (WHERE steps & ${CHECKOUT} = ${CHECKOUT} AND EXISTS (
                SELECT 1 FROM visitor_accounts va
                  JOIN buyer_days bd ON bd.account_id = va.account_id
                 WHERE va.anonymous_id = v.anonymous_id AND bd.day BETWEEN $1 AND $2)) AS paid
         FROM v`,
      [range.from, range.to, f.channel, f.utmSource, f.device],
    );
    return {
      view: Number(r?.view ?? 0),
      cart: Number(r?.cart ?? 0),
      checkout: Number(r?.checkout ?? 0),
      paid: Number(r?.paid ?? 0),
    };
  }

  async attribution(
    range: DayRange,
    model: 'first_touch' | 'last_touch',
  ): Promise<AttributionRow[]> {
    const rows = await this.sql.rows<AttributionSqlRow>(
      `SELECT source, medium, campaign, currency, sum(paid_orders) AS paid_orders,
              sum(gmv_minor) AS gmv_minor
         FROM attribution_daily
        WHERE day BETWEEN $1 AND $2 AND model = $3
        GROUP BY source, medium, campaign, currency`,
      [range.from, range.to, model],
    );
    return rows.map((r) => ({
      source: r.source,
      medium: r.medium,
      campaign: r.campaign,
      currency: r.currency,
      paidOrders: Number(r.paid_orders),
      gmvMinor: Number(r.gmv_minor),
    }));
  }

  async abandonedCarts(limit: number): Promise<AbandonedCartView[]> {
    const rows = await this.sql.rows<AbandonedRow>(
      `SELECT account_id, cart_updated_at, abandoned_at, items, subtotal_minor, currency, recovered
         FROM cart_abandonments ORDER BY abandoned_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      cartUpdatedAt: r.cart_updated_at,
      abandonedAt: r.abandoned_at,
      items: r.items,
      subtotalMinor: Number(r.subtotal_minor),
      currency: r.currency ?? '',
      recovered: r.recovered,
    }));
  }
}
