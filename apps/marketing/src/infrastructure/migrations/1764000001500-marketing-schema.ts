import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Campaigns, promotions, coupons, the customer projection, flash sales and group buying. */
export class MarketingSchema1764000001500 implements MigrationInterface {
  name = 'MarketingSchema1764000001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        active boolean NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // scope, conditions and action are the engine's rule as JSON (validated before saving)
    await q.query(`
      CREATE TABLE promotions (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        priority integer NOT NULL,
        exclusive boolean NOT NULL,
        rule jsonb NOT NULL,
        campaign_id uuid REFERENCES campaigns (id),
        starts_at timestamptz,
        ends_at timestamptz,
        active boolean NOT NULL,
        coupon_only boolean NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX promotions_live ON promotions (priority) WHERE active AND NOT coupon_only`,
    );
    await q.query(`
      CREATE TABLE coupon_templates (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        promotion_id uuid NOT NULL REFERENCES promotions (id),
        total_limit integer NOT NULL CHECK (total_limit > 0),
        per_user_limit integer NOT NULL CHECK (per_user_limit > 0),
        valid_from timestamptz NOT NULL,
        valid_to timestamptz NOT NULL CHECK (valid_to > valid_from),
        issued integer NOT NULL DEFAULT 0 CHECK (issued >= 0 AND issued <= total_limit),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE coupons (
        code text PRIMARY KEY,
        template_id uuid NOT NULL REFERENCES coupon_templates (id),
        owner_id uuid,
        status text NOT NULL CHECK (status IN ('ISSUED', 'CLAIMED', 'RESERVED', 'REDEEMED')),
        order_id uuid,
        updated_at timestamptz NOT NULL,
        CHECK ((status IN ('RESERVED', 'REDEEMED')) = (order_id IS NOT NULL)),
        CHECK ((status = 'ISSUED') = (owner_id IS NULL))
      )`);
    await q.query(`CREATE INDEX coupons_owner ON coupons (owner_id, template_id)`);
    await q.query(`CREATE INDEX coupons_order ON coupons (order_id) WHERE order_id IS NOT NULL`);
    await q.query(
      `CREATE INDEX coupons_unclaimed ON coupons (template_id) WHERE status = 'ISSUED'`,
    );
    // what marketing knows of customers, fed by user and order events
    await q.query(`
      CREATE TABLE customer_facts (
        account_id uuid PRIMARY KEY,
        tier text NOT NULL DEFAULT '',
        orders_placed integer NOT NULL DEFAULT 0,
        tier_changed_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE flash_sales (
        id uuid PRIMARY KEY,
        sku_id uuid NOT NULL,
        price_minor bigint NOT NULL CHECK (price_minor >= 0),
        currency char(3) NOT NULL,
        stock integer NOT NULL CHECK (stock > 0),
        per_user_limit integer NOT NULL CHECK (per_user_limit > 0),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE flash_purchases (
        token text PRIMARY KEY,
        sale_id uuid NOT NULL REFERENCES flash_sales (id),
        account_id uuid NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        status text NOT NULL CHECK (status IN ('WON', 'ORDERED', 'PAID', 'RETURNED')),
        order_id uuid UNIQUE,
        won_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX flash_purchases_sale ON flash_purchases (sale_id, status)`);
    await q.query(
      `CREATE INDEX flash_purchases_lapsing ON flash_purchases (expires_at) WHERE status = 'WON'`,
    );
    await q.query(`
      CREATE TABLE group_deals (
        id uuid PRIMARY KEY,
        sku_id uuid NOT NULL,
        price_minor bigint NOT NULL CHECK (price_minor >= 0),
        currency char(3) NOT NULL,
        group_size integer NOT NULL CHECK (group_size BETWEEN 2 AND 100),
        window_seconds integer NOT NULL CHECK (window_seconds > 0),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE buying_groups (
        id uuid PRIMARY KEY,
        deal_id uuid NOT NULL REFERENCES group_deals (id),
        size integer NOT NULL,
        deadline timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('OPEN', 'SUCCEEDED', 'FAILED')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX buying_groups_due ON buying_groups (deadline) WHERE status = 'OPEN'`,
    );
    await q.query(
      `CREATE INDEX buying_groups_deal ON buying_groups (deal_id) WHERE status = 'OPEN'`,
    );
    await q.query(`
      CREATE TABLE group_members (
        order_id uuid PRIMARY KEY,
        group_id uuid NOT NULL REFERENCES buying_groups (id),
        account_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'JOINED', 'LEFT', 'FAILED')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // one paid seat per account per group, enforced by the database as well as the domain
    await q.query(
      `CREATE UNIQUE INDEX group_members_one_seat ON group_members (group_id, account_id) WHERE status = 'JOINED'`,
    );
    await q.query(`CREATE INDEX group_members_group ON group_members (group_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'group_members',
      'buying_groups',
      'group_deals',
      'flash_purchases',
      'flash_sales',
      'customer_facts',
      'coupons',
      'coupon_templates',
      'promotions',
      'campaigns',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
