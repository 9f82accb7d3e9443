import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Original prices and price history (issue 16). `skus.original_price_amount_minor`: the
 * displayed original price (same currency as the price), null for none. `sku_price_history`:
 * every change of a SKU's price or original price by any route (create, UpdateProduct,
 * SetSkuPrice), written in the change's transaction; `request_id` makes SetSkuPrice idempotent.
 * The current prices are backfilled as one row per SKU (reason 'backfill', at the migration's
 * time), so the 30-day original-price rule has a starting point.
 */
export class PriceHistory1765000000400 implements MigrationInterface {
  name = 'PriceHistory1765000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE skus ADD COLUMN original_price_amount_minor bigint NULL
      CONSTRAINT skus_original_price_above_price CHECK (original_price_amount_minor > price_amount_minor)`);
    await q.query(`
      CREATE TABLE sku_price_history (
        id                    bigserial PRIMARY KEY,
        sku_id                uuid NOT NULL REFERENCES skus(id),
        currency              char(3) NOT NULL,
        price_minor           bigint NOT NULL CHECK (price_minor >= 0),
        original_price_minor  bigint NULL,
        previous_price_minor  bigint NULL,
        reason                text NOT NULL,
        reference             text NOT NULL DEFAULT '',
        actor_id              text NOT NULL DEFAULT '',
        request_id            uuid NULL,
        changed_at            timestamptz NOT NULL,
        CONSTRAINT sku_price_history_request_key UNIQUE (request_id)
      )`);
    await q.query(
      `CREATE INDEX sku_price_history_sku_idx ON sku_price_history (sku_id, changed_at, id)`,
    );
    await q.query(`
      INSERT INTO sku_price_history (sku_id, currency, price_minor, reason, changed_at)
      SELECT id, currency, price_amount_minor, 'backfill', now() FROM skus ORDER BY id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sku_price_history`);
    await q.query(`ALTER TABLE skus DROP COLUMN original_price_amount_minor`);
  }
}
