import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Low-stock thresholds (issue 18): one row per SKU and warehouse with a threshold, and the state
 * last evaluated (`low`, `low_since`), so a crossing emits one event, not one per movement.
 * Removing a threshold deletes its row.
 */
export class StockThresholds1767000000100 implements MigrationInterface {
  name = 'StockThresholds1767000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stock_thresholds (
        sku_id         uuid NOT NULL REFERENCES skus(id),
        warehouse_code text NOT NULL,
        threshold      bigint NOT NULL CHECK (threshold > 0),
        low            boolean NOT NULL,
        low_since      timestamptz,
        updated_at     timestamptz NOT NULL,
        PRIMARY KEY (sku_id, warehouse_code),
        CONSTRAINT stock_thresholds_low_since CHECK (low = (low_since IS NOT NULL))
      )`);
    // the low-stock list: longest low first, keyset by (low_since, sku, warehouse)
    await q.query(
      `CREATE INDEX stock_thresholds_low_idx ON stock_thresholds (low_since, sku_id, warehouse_code) WHERE low`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stock_thresholds`);
  }
}
