import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The collection area's facts and rollups (apps/analytics/README.md "Tables"):
 * - behaviour_events: every accepted behaviour event, partitioned by day (one partition per
 *   local day, made ahead by the `analytics-partitions` sweep and on demand for a late day;
 *   dropped after ANALYTICS_RETENTION_DAYS);
 * - order_facts: one row per order (the shared contract other areas read), visitor_accounts:
 *   the identity map of visitors who signed in;
 * - rollups kept incrementally by the collection projection: kpi_daily, buyers, buyer_days,
 *   funnel_visitor_days, utm_touches, order_attribution, attribution_daily;
 * - cart_state and cart_abandonments for the abandoned-cart sweep.
 */
export class AnalyticsFacts1765000000100 implements MigrationInterface {
  name = 'AnalyticsFacts1765000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE behaviour_events (
        day date NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('page_view', 'product_view', 'search', 'add_to_cart',
          'remove_from_cart', 'checkout_started', 'banner_click', 'experiment_exposure')),
        anonymous_id text NOT NULL,
        account_id uuid NULL,
        session_id text NOT NULL DEFAULT '',
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        channel text NOT NULL DEFAULT '',
        utm_source text NOT NULL DEFAULT '',
        utm_medium text NOT NULL DEFAULT '',
        utm_campaign text NOT NULL DEFAULT '',
        utm_term text NOT NULL DEFAULT '',
        utm_content text NOT NULL DEFAULT '',
        referrer text NOT NULL DEFAULT '',
        device_type text NOT NULL DEFAULT '',
        device_os text NOT NULL DEFAULT '',
        device_browser text NOT NULL DEFAULT '',
        page text NOT NULL DEFAULT '',
        product_id uuid NULL,
        sku_id uuid NULL,
        quantity integer NOT NULL DEFAULT 0,
        query text NOT NULL DEFAULT '',
        result_count integer NOT NULL DEFAULT 0,
        banner_id text NOT NULL DEFAULT '',
        experiment_key text NOT NULL DEFAULT '',
        variant text NOT NULL DEFAULT '',
        PRIMARY KEY (day, event_id)
      ) PARTITION BY RANGE (day)`);
    await q.query(
      `CREATE INDEX behaviour_events_visitor ON behaviour_events (anonymous_id, occurred_at)`,
    );

    await q.query(`
      CREATE TABLE order_facts (
        order_id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        channel text NOT NULL DEFAULT '',
        currency char(3) NOT NULL,
        total_minor bigint NOT NULL DEFAULT 0,
        placed_at timestamptz NULL,
        placed_day date NULL,
        paid_at timestamptz NULL,
        paid_day date NULL,
        paid_minor bigint NOT NULL DEFAULT 0,
        refunded_minor bigint NOT NULL DEFAULT 0,
        cancelled_at timestamptz NULL,
        units integer NOT NULL DEFAULT 0,
        lines jsonb NOT NULL DEFAULT '[]'::jsonb
      )`);
    await q.query(`CREATE INDEX order_facts_account ON order_facts (account_id, placed_at)`);
    await q.query(
      `CREATE INDEX order_facts_paid_day ON order_facts (paid_day) WHERE paid_day IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE visitor_accounts (
        anonymous_id text NOT NULL,
        account_id uuid NOT NULL,
        first_seen_at timestamptz NOT NULL,
        PRIMARY KEY (anonymous_id, account_id)
      )`);
    await q.query(`CREATE INDEX visitor_accounts_account ON visitor_accounts (account_id)`);

    await q.query(`
      CREATE TABLE kpi_daily (
        day date NOT NULL,
        channel text NOT NULL,
        currency char(3) NOT NULL,
        orders bigint NOT NULL DEFAULT 0,
        paid_orders bigint NOT NULL DEFAULT 0,
        gmv_minor bigint NOT NULL DEFAULT 0,
        units bigint NOT NULL DEFAULT 0,
        refunds_minor bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (day, channel, currency)
      )`);
    await q.query(`
      CREATE TABLE buyers (
        account_id uuid PRIMARY KEY,
        first_order_id uuid NOT NULL,
        first_paid_at timestamptz NOT NULL,
        first_day date NOT NULL,
        first_channel text NOT NULL
      )`);
    await q.query(`CREATE INDEX buyers_first_day ON buyers (first_day, first_channel)`);
    await q.query(`
      CREATE TABLE buyer_days (
        day date NOT NULL,
        channel text NOT NULL,
        account_id uuid NOT NULL,
        PRIMARY KEY (day, channel, account_id)
      )`);
    await q.query(`CREATE INDEX buyer_days_account ON buyer_days (account_id, day)`);

    await q.query(`
      CREATE TABLE funnel_visitor_days (
        day date NOT NULL,
        anonymous_id text NOT NULL,
        channel text NOT NULL,
        utm_source text NOT NULL,
        device text NOT NULL,
        steps smallint NOT NULL,
        PRIMARY KEY (day, anonymous_id, channel, utm_source, device)
      )`);

    await q.query(`
      CREATE TABLE utm_touches (
        event_id uuid PRIMARY KEY,
        anonymous_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        day date NOT NULL,
        source text NOT NULL,
        medium text NOT NULL,
        campaign text NOT NULL
      )`);
    await q.query(`CREATE INDEX utm_touches_visitor ON utm_touches (anonymous_id, occurred_at)`);
    await q.query(`
      CREATE TABLE order_attribution (
        order_id uuid PRIMARY KEY,
        paid_day date NOT NULL,
        currency char(3) NOT NULL,
        amount_minor bigint NOT NULL,
        first_source text NOT NULL,
        first_medium text NOT NULL,
        first_campaign text NOT NULL,
        last_source text NOT NULL,
        last_medium text NOT NULL,
        last_campaign text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE attribution_daily (
        day date NOT NULL,
        model text NOT NULL CHECK (model IN ('first_touch', 'last_touch')),
        source text NOT NULL,
        medium text NOT NULL,
        campaign text NOT NULL,
        currency char(3) NOT NULL,
        paid_orders bigint NOT NULL DEFAULT 0,
        gmv_minor bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (day, model, source, medium, campaign, currency)
      )`);

    await q.query(`
      CREATE TABLE cart_state (
        account_id uuid PRIMARY KEY,
        lines jsonb NOT NULL,
        items integer NOT NULL,
        subtotal_minor bigint NOT NULL DEFAULT 0,
        currency char(3) NULL,
        updated_at timestamptz NOT NULL,
        raised_for timestamptz NULL,
        last_raised_at timestamptz NULL
      )`);
    await q.query(`CREATE INDEX cart_state_due ON cart_state (updated_at) WHERE items > 0`);
    await q.query(`
      CREATE TABLE cart_abandonments (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        cart_updated_at timestamptz NOT NULL,
        abandoned_at timestamptz NOT NULL,
        items integer NOT NULL,
        subtotal_minor bigint NOT NULL,
        currency char(3) NULL,
        lines jsonb NOT NULL,
        recovered boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX cart_abandonments_recent ON cart_abandonments (abandoned_at DESC)`);
    await q.query(
      `CREATE INDEX cart_abandonments_account ON cart_abandonments (account_id, cart_updated_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'cart_abandonments',
      'cart_state',
      'attribution_daily',
      'order_attribution',
      'utm_touches',
      'funnel_visitor_days',
      'buyer_days',
      'buyers',
      'kpi_daily',
      'visitor_accounts',
      'order_facts',
      'behaviour_events',
    ])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
