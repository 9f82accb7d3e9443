import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inventory and pricing (issue 16). Rollups kept by the inventory projection from catalog
 * snapshots and paid orders: the SKU's last snapshot, end-of-day on hand per day with a
 * snapshot (carried forward when read), units sold per paid day, the orders already counted
 * (an OrderPaid and its OrderPlaced may come in either order), and the price points the
 * snapshots showed (the elasticity's history). Then pricing policies and suggestions.
 */
export class AnalyticsPricing1765000000400 implements MigrationInterface {
  name = 'AnalyticsPricing1765000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inventory_skus (
        sku_id             text PRIMARY KEY,
        product_id         text NOT NULL,
        category_id        text NOT NULL,
        category_path_ids  text[] NOT NULL,
        currency           char(3) NOT NULL,
        price_minor        bigint NOT NULL,
        on_hand            bigint NOT NULL,
        snapshot_at        timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX inventory_skus_path_idx ON inventory_skus USING gin (category_path_ids)`,
    );
    await q.query(`
      CREATE TABLE inventory_daily_on_hand (
        sku_id   text NOT NULL,
        day      date NOT NULL,
        on_hand  bigint NOT NULL,
        at       timestamptz NOT NULL,
        PRIMARY KEY (sku_id, day)
      )`);
    await q.query(`
      CREATE TABLE inventory_daily_sales (
        sku_id  text NOT NULL,
        day     date NOT NULL,
        units   bigint NOT NULL CHECK (units >= 0),
        PRIMARY KEY (sku_id, day)
      )`);
    await q.query(`CREATE INDEX inventory_daily_sales_day_idx ON inventory_daily_sales (day)`);
    await q.query(`
      CREATE TABLE inventory_counted_orders (
        order_id  text PRIMARY KEY,
        paid_day  date NOT NULL
      )`);
    await q.query(`
      CREATE TABLE inventory_price_points (
        sku_id       text NOT NULL,
        at           timestamptz NOT NULL,
        day          date NOT NULL,
        currency     char(3) NOT NULL,
        price_minor  bigint NOT NULL,
        PRIMARY KEY (sku_id, at)
      )`);
    await q.query(`
      CREATE TABLE pricing_policies (
        sku_id                 text PRIMARY KEY,
        currency               char(3) NOT NULL,
        floor_minor            bigint NOT NULL CHECK (floor_minor > 0),
        ceiling_minor          bigint NOT NULL,
        unit_cost_minor        bigint NOT NULL CHECK (unit_cost_minor >= 0),
        min_margin_bps         integer NOT NULL CHECK (min_margin_bps BETWEEN 0 AND 10000),
        target_sell_through    double precision NOT NULL CHECK (target_sell_through > 0 AND target_sell_through <= 1),
        target_days_of_supply  integer NOT NULL CHECK (target_days_of_supply BETWEEN 1 AND 365),
        enabled                boolean NOT NULL,
        updated_at             timestamptz NOT NULL,
        CONSTRAINT pricing_policies_bounds CHECK (floor_minor <= ceiling_minor)
      )`);
    await q.query(`
      CREATE TABLE pricing_suggestions (
        id                     uuid PRIMARY KEY,
        sku_id                 text NOT NULL,
        currency               char(3) NOT NULL,
        current_price_minor    bigint NOT NULL,
        suggested_price_minor  bigint NOT NULL,
        reasons                jsonb NOT NULL,
        elasticity             double precision NOT NULL,
        days_of_supply         double precision NOT NULL,
        sell_through           double precision NOT NULL,
        status                 text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED')),
        created_at             timestamptz NOT NULL,
        decided_by             text NOT NULL DEFAULT '',
        decided_at             timestamptz NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX pricing_suggestions_one_pending ON pricing_suggestions (sku_id) WHERE status = 'PENDING'`,
    );
    await q.query(
      `CREATE INDEX pricing_suggestions_status_idx ON pricing_suggestions (status, created_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'pricing_suggestions',
      'pricing_policies',
      'inventory_price_points',
      'inventory_counted_orders',
      'inventory_daily_sales',
      'inventory_daily_on_hand',
      'inventory_skus',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
