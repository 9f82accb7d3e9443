import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderSchema1764000000700 implements MigrationInterface {
  name = 'OrderSchema1764000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE carts (
        id          uuid PRIMARY KEY,
        account_id  uuid UNIQUE,
        guest_token text UNIQUE,
        lines       jsonb NOT NULL DEFAULT '[]'::jsonb,
        updated_at  timestamptz NOT NULL,
        CONSTRAINT carts_one_owner CHECK ((account_id IS NULL) <> (guest_token IS NULL))
      )`);
    await q.query(`
      CREATE TABLE checkouts (
        key            uuid PRIMARY KEY,
        account_id     uuid NOT NULL,
        order_id       uuid NOT NULL,
        reservation_id uuid NOT NULL,
        request_hash   text NOT NULL,
        status         text NOT NULL CHECK (status IN ('STARTED', 'PLACED', 'FAILED')),
        error_code     text,
        error_message  text,
        coupon_codes   text[] NOT NULL DEFAULT '{}',
        created_at     timestamptz NOT NULL,
        finished_at    timestamptz
      )`);
    await q.query(
      `CREATE INDEX checkouts_started_idx ON checkouts (created_at) WHERE status = 'STARTED'`,
    );
    await q.query(`
      CREATE TABLE orders (
        id                  uuid PRIMARY KEY,
        account_id          uuid NOT NULL,
        status              text NOT NULL,
        currency            char(3) NOT NULL,
        lines               jsonb NOT NULL,
        subtotal_minor      bigint NOT NULL CHECK (subtotal_minor >= 0),
        discount_minor      bigint NOT NULL CHECK (discount_minor >= 0),
        shipping_minor      bigint NOT NULL CHECK (shipping_minor >= 0),
        total_minor         bigint NOT NULL CHECK (total_minor >= 0),
        address             jsonb NOT NULL,
        risk                jsonb NOT NULL,
        price_explanation   jsonb NOT NULL DEFAULT '[]'::jsonb,
        reservation_id      uuid NOT NULL,
        reservation_synced  boolean NOT NULL DEFAULT true,
        payment_deadline    timestamptz NOT NULL,
        cancel_reason       text,
        paid_at             timestamptz,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        version             int NOT NULL
      )`);
    await q.query(
      `CREATE INDEX orders_account_idx ON orders (account_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX orders_unpaid_deadline_idx ON orders (payment_deadline) WHERE status IN ('PENDING_PAYMENT', 'PENDING_REVIEW')`,
    );
    await q.query(
      `CREATE INDEX orders_reservation_unsynced_idx ON orders (updated_at) WHERE NOT reservation_synced`,
    );
    await q.query(`
      CREATE TABLE payments (
        id              uuid PRIMARY KEY,
        order_id        uuid NOT NULL REFERENCES orders(id),
        provider        text NOT NULL,
        provider_txn_id text,
        amount_minor    bigint NOT NULL,
        currency        char(3) NOT NULL,
        status          text NOT NULL CHECK (status IN ('STARTED', 'SUCCEEDED', 'FAILED', 'REFUNDED', 'MISMATCH')),
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    // one record per provider transaction: a replayed callback cannot pay twice
    await q.query(
      `CREATE UNIQUE INDEX payments_provider_txn_key ON payments (provider, provider_txn_id) WHERE provider_txn_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX payments_order_idx ON payments (order_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['payments', 'orders', 'checkouts', 'carts']) await q.query(`DROP TABLE ${t}`);
  }
}
