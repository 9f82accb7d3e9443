import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customers area: every paid order of an account (the history that keeps the aggregates
 * exact whatever order the events come in), refunds once each, the per-account rollup, the
 * months each account paid in (cohorts), and exported audiences.
 */
export class AnalyticsCustomers1765000000200 implements MigrationInterface {
  name = 'AnalyticsCustomers1765000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_orders (
        order_id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        paid_at timestamptz NOT NULL,
        paid_minor bigint NOT NULL,
        currency char(3) NOT NULL
      )`);
    await q.query(`CREATE INDEX customer_orders_account ON customer_orders (account_id, paid_at)`);
    await q.query(`
      CREATE TABLE customer_refunds (
        order_id uuid NOT NULL,
        refund_id text NOT NULL,
        account_id uuid NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (order_id, refund_id)
      )`);
    await q.query(`
      CREATE TABLE customer_stats (
        account_id uuid PRIMARY KEY,
        first_paid_at timestamptz,
        last_paid_at timestamptz,
        previous_paid_at timestamptz,
        first_month char(7),
        paid_orders integer NOT NULL DEFAULT 0,
        paid_minor bigint NOT NULL DEFAULT 0,
        refunded_minor bigint NOT NULL DEFAULT 0,
        currency char(3) NOT NULL DEFAULT '',
        deleted boolean NOT NULL DEFAULT false
      )`);
    await q.query(
      `CREATE INDEX customer_stats_buyers ON customer_stats (first_month) WHERE paid_orders > 0 AND NOT deleted`,
    );
    await q.query(`
      CREATE TABLE customer_paid_months (
        account_id uuid NOT NULL,
        month char(7) NOT NULL,
        PRIMARY KEY (account_id, month)
      )`);
    await q.query(`
      CREATE TABLE audiences (
        id uuid PRIMARY KEY,
        segment text NOT NULL,
        coupon_template_id uuid NOT NULL,
        size integer NOT NULL CHECK (size > 0),
        requested_by text NOT NULL,
        idempotency_key text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT audiences_key UNIQUE (idempotency_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audiences',
      'customer_paid_months',
      'customer_stats',
      'customer_refunds',
      'customer_orders',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
