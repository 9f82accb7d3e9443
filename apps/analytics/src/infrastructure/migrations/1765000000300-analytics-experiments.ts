import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments and recommendations: definitions; first exposures and the latest primary-metric
 * action per (experiment, unit), and their counts per variant; the pair counts of "bought
 * together" and "viewed together" and the orders they counted. Links and paid orders (the
 * paid_order metric) and orders' lines are read from collection's visitor_accounts and
 * order_facts (migration 1765000000100).
 */
export class AnalyticsExperiments1765000000300 implements MigrationInterface {
  name = 'AnalyticsExperiments1765000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE experiments (
        key            text PRIMARY KEY CHECK (key ~ '^[a-z0-9_-]{1,64}$'),
        name           text NOT NULL,
        variants       jsonb NOT NULL,
        start_at       timestamptz NOT NULL,
        stop_at        timestamptz NOT NULL,
        primary_metric text NOT NULL
          CHECK (primary_metric IN ('paid_order', 'checkout_started', 'add_to_cart', 'banner_click')),
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        CONSTRAINT experiments_window CHECK (start_at < stop_at)
      )`);
    await q.query(`CREATE INDEX experiments_metric_idx ON experiments (primary_metric)`);
    // a unit's first exposure (earliest occurred_at, ties by event id) in the window
    await q.query(`
      CREATE TABLE experiment_exposures (
        experiment_key text NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
        unit           text NOT NULL,
        variant        text NOT NULL,
        first_at       timestamptz NOT NULL,
        event_id       uuid NOT NULL,
        -- an action of the metric at or after first_at (see experiment_conversions)
        converted      boolean NOT NULL,
        PRIMARY KEY (experiment_key, unit)
      )`);
    // a unit's latest primary-metric action in the window: it converted when last_at >= first_at
    await q.query(`
      CREATE TABLE experiment_conversions (
        experiment_key text NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
        unit           text NOT NULL,
        last_at        timestamptz NOT NULL,
        PRIMARY KEY (experiment_key, unit)
      )`);
    // the results' rollup: users and conversions per variant, kept with every change above
    await q.query(`
      CREATE TABLE experiment_variant_counts (
        experiment_key text NOT NULL REFERENCES experiments(key) ON DELETE CASCADE,
        variant        text NOT NULL,
        users          bigint NOT NULL CHECK (users >= 0),
        conversions    bigint NOT NULL CHECK (conversions >= 0 AND conversions <= users),
        PRIMARY KEY (experiment_key, variant)
      )`);
    // the orders already counted in "bought together" (the order itself, its lines and whether
    // it was placed and paid, is collection's order_facts; a duplicate OrderPlaced or OrderPaid
    // finds the same order_facts row, so only this marker says it was counted)
    await q.query(`CREATE TABLE recommendation_counted_orders (order_id uuid PRIMARY KEY)`);
    await q.query(`
      CREATE TABLE recommendation_session_products (
        session_key text NOT NULL,
        product_id  uuid NOT NULL,
        day         date NOT NULL,
        PRIMARY KEY (session_key, product_id)
      )`);
    await q.query(
      `CREATE INDEX recommendation_session_products_day_idx ON recommendation_session_products (day)`,
    );
    await q.query(`
      CREATE TABLE product_orders (
        product_id uuid PRIMARY KEY,
        orders     bigint NOT NULL CHECK (orders > 0)
      )`);
    await q.query(`
      CREATE TABLE product_sessions (
        product_id uuid PRIMARY KEY,
        sessions   bigint NOT NULL CHECK (sessions > 0)
      )`);
    await q.query(`
      CREATE TABLE product_pairs (
        kind     text NOT NULL CHECK (kind IN ('bought_together', 'viewed_together')),
        a        uuid NOT NULL,
        b        uuid NOT NULL,
        together bigint NOT NULL CHECK (together > 0),
        PRIMARY KEY (kind, a, b),
        CHECK (a <> b)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE product_pairs, product_sessions, product_orders, recommendation_session_products,
        recommendation_counted_orders, experiment_variant_counts, experiment_conversions, experiment_exposures, experiments`);
  }
}
