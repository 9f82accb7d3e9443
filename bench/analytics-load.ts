import { Client } from 'pg';

/**
 * Loads a large generated history straight into analytics' tables with SQL `generate_series`
 * (no events, no projections): behaviour events in their day partitions and the rollups the
 * collection and customers areas keep from them (funnel visitor-days, identity links), orders
 * (order_facts) with the KPI and buyer rollups, and the customers' per-account statistics. The
 * tables are those of the services' migrations (collection: 1765000000100-analytics-facts;
 * customers: 1765000000200-analytics-customers); the rollups are computed here the way the
 * projections keep them, so the service answers from them as if it had consumed the events.
 */
export interface LoadOptions {
  events: number;
  visitors: number;
  orders: number;
  accounts: number;
  /** Local days the history covers, oldest first ('YYYY-MM-DD'). */
  days: string[];
  timeZone: string;
}

const partition = (day: string) => `behaviour_events_${day.replace(/-/g, '')}`;
const next = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The loader's steps with their durations (seconds). */
export async function loadHistory(url: string, o: LoadOptions): Promise<[string, number][]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const timings: [string, number][] = [];
  const step = async (name: string, sql: string, params: unknown[] = []) => {
    const t = performance.now();
    await pg.query(sql, params);
    timings.push([name, (performance.now() - t) / 1000]);
  };
  try {
    await pg.query(`SET TIME ZONE '${o.timeZone.replace(/'/g, '')}'`);
    for (const d of o.days)
      await pg.query(
        `CREATE TABLE IF NOT EXISTS ${partition(d)} PARTITION OF behaviour_events FOR VALUES FROM ('${d}') TO ('${next(d)}')`,
      );
    const perDay = Math.ceil(o.events / o.days.length);
    const t = performance.now();
    for (const [k, d] of o.days.entries())
      // visits of 8 events: visitor v (from the visit's number) does them on one day, with one
      // channel, device and UTM source, as a storefront sends them (a visitor in 10 is signed in:
      // account v % accounts); event types skewed like a shop's (views most, then carts, checkouts)
      await pg.query(
        `INSERT INTO ${partition(d)} (day, event_id, type, anonymous_id, account_id, session_id, occurred_at,
           received_at, channel, utm_source, utm_medium, utm_campaign, device_type, product_id, quantity)
         SELECT $1::date, gen_random_uuid(),
                (ARRAY['page_view','product_view','product_view','product_view','search','add_to_cart',
                       'product_view','checkout_started','banner_click','remove_from_cart'])[1 + (i * 7 + i / 13) % 10],
                'v' || x.v,
                CASE WHEN x.v % 10 = 0 THEN md5('account' || (x.v % $5))::uuid END,
                's' || x.v || '-' || $3,
                $1::date + make_interval(secs => (i * 37) % 86400),
                $1::date + make_interval(secs => (i * 37) % 86400 + 1),
                (ARRAY['web','app','mini_program',''])[1 + x.v % 4],
                (ARRAY['google','wechat','newsletter','baidu','douyin','',''])[1 + (x.v / 3) % 7],
                (ARRAY['cpc','social','email','organic','video','',''])[1 + (x.v / 3) % 7],
                (ARRAY['winter','moments','weekly','','live','',''])[1 + (x.v / 3) % 7],
                (ARRAY['mobile','desktop','tablet','app'])[1 + (x.v / 5) % 4],
                md5('product' || (i % 5000))::uuid, 1 + i % 3
           FROM generate_series(1, $2::int) AS i,
                LATERAL (SELECT ((i / 8)::bigint * 7919 + $3) % $4 AS v) AS x`,
        [d, perDay, k * perDay, o.visitors, o.accounts],
      );
    timings.push([`${perDay * o.days.length} behaviour events`, (performance.now() - t) / 1000]);
    await step(
      'funnel visitor-days',
      `INSERT INTO funnel_visitor_days (day, anonymous_id, channel, utm_source, device, steps)
       SELECT day, anonymous_id, channel, utm_source, device_type,
              bit_or(CASE type WHEN 'product_view' THEN 1 WHEN 'add_to_cart' THEN 2 ELSE 4 END)::smallint
         FROM behaviour_events WHERE type IN ('product_view', 'add_to_cart', 'checkout_started')
        GROUP BY 1, 2, 3, 4, 5
       ON CONFLICT DO NOTHING`,
    );
    await step(
      'visitor links',
      `INSERT INTO visitor_accounts (anonymous_id, account_id, first_seen_at)
       SELECT 'v' || v, md5('account' || (v % $2))::uuid, now() - interval '40 days'
         FROM generate_series(0, $1::int - 1, 10) AS v ON CONFLICT DO NOTHING`,
      [o.visitors, o.accounts],
    );
    const first = o.days[0];
    await step(
      `${o.orders} orders`,
      `INSERT INTO order_facts (order_id, account_id, channel, currency, total_minor, placed_at, placed_day,
         paid_at, paid_day, paid_minor, refunded_minor, units, lines)
       SELECT md5('order' || i)::uuid, md5('account' || (i * 31 % $2))::uuid,
              (ARRAY['web','app','mini_program',''])[1 + i % 4], 'CNY', 1000 + (i::bigint * 7919) % 90000,
              p, p::date, CASE WHEN i % 5 <> 0 THEN p + interval '10 minutes' END,
              CASE WHEN i % 5 <> 0 THEN (p + interval '10 minutes')::date END,
              CASE WHEN i % 5 <> 0 THEN 1000 + (i::bigint * 7919) % 90000 ELSE 0 END,
              CASE WHEN i % 23 = 0 THEN 500 ELSE 0 END, 1 + i % 3,
              jsonb_build_array(jsonb_build_object('skuId', md5('sku' || (i % 5000))::uuid,
                'productId', md5('product' || (i % 5000))::uuid, 'quantity', 1 + i % 3,
                'unitPriceMinor', 1000, 'totalMinor', 1000 * (1 + i % 3)))
         FROM generate_series(1, $1::int) AS i,
              LATERAL (SELECT $3::date + make_interval(secs => (i::bigint * 7919) % ($4::int * 86400 - 1200)) AS p) t`,
      [o.orders, o.accounts, first, o.days.length],
    );
    await step(
      'KPI rollup',
      `INSERT INTO kpi_daily (day, channel, currency, orders, paid_orders, gmv_minor, units, refunds_minor)
       SELECT day, channel, 'CNY', sum(orders), sum(paid), sum(gmv), sum(units), sum(refunds) FROM (
         SELECT placed_day AS day, channel, 1 AS orders, 0 AS paid, 0 AS gmv, 0 AS units, 0 AS refunds FROM order_facts
         UNION ALL
         SELECT paid_day, channel, 0, 1, paid_minor, units, refunded_minor FROM order_facts WHERE paid_day IS NOT NULL
       ) x GROUP BY 1, 2`,
    );
    await step(
      'buyers',
      `INSERT INTO buyers (account_id, first_order_id, first_paid_at, first_day, first_channel)
       SELECT DISTINCT ON (account_id) account_id, order_id, paid_at, paid_day, channel
         FROM order_facts WHERE paid_at IS NOT NULL ORDER BY account_id, paid_at, order_id`,
    );
    await step(
      'buyer days',
      `INSERT INTO buyer_days (day, channel, account_id)
       SELECT DISTINCT paid_day, channel, account_id FROM order_facts WHERE paid_day IS NOT NULL`,
    );
    await step(
      'customers',
      `INSERT INTO customer_orders (order_id, account_id, paid_at, paid_minor, currency)
       SELECT order_id, account_id, paid_at, paid_minor, 'CNY' FROM order_facts WHERE paid_at IS NOT NULL`,
    );
    await step(
      'customer statistics',
      `INSERT INTO customer_stats (account_id, first_paid_at, last_paid_at, previous_paid_at, first_month,
         paid_orders, paid_minor, refunded_minor, currency, deleted)
       SELECT account_id, min(paid_at), max(paid_at),
              (array_agg(paid_at ORDER BY paid_at DESC))[2], to_char(min(paid_at), 'YYYY-MM'),
              count(*), sum(paid_minor), sum(refunded_minor), 'CNY', false
         FROM order_facts WHERE paid_at IS NOT NULL GROUP BY account_id`,
    );
    await step(
      'customer months',
      `INSERT INTO customer_paid_months (account_id, month)
       SELECT DISTINCT account_id, to_char(paid_at, 'YYYY-MM') FROM order_facts WHERE paid_at IS NOT NULL`,
    );
    await step('analyze', `ANALYZE`);
    return timings;
  } finally {
    await pg.end();
  }
}
