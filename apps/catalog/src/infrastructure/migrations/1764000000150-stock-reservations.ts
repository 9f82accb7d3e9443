import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stock reservations: held units per SKU per warehouse, and the reservations holding them. */
export class StockReservations1764000000150 implements MigrationInterface {
  name = 'StockReservations1764000000150';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stock_levels ADD COLUMN reserved bigint NOT NULL DEFAULT 0`);
    // the database itself refuses to hold more than is on hand, or to sell what is held
    await q.query(
      `ALTER TABLE stock_levels ADD CONSTRAINT stock_levels_reserved_range CHECK (reserved >= 0 AND reserved <= on_hand)`,
    );
    await q.query(`
      CREATE TABLE stock_reservations (
        id         uuid PRIMARY KEY,
        status     text NOT NULL CHECK (status IN ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED')),
        expires_at timestamptz NOT NULL,
        reason     text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX stock_reservations_active_idx ON stock_reservations (expires_at) WHERE status = 'ACTIVE'`,
    );
    await q.query(`
      CREATE TABLE stock_reservation_lines (
        reservation_id uuid NOT NULL REFERENCES stock_reservations(id),
        sku_id         uuid NOT NULL REFERENCES skus(id),
        warehouse_code text NOT NULL,
        quantity       bigint NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (reservation_id, sku_id, warehouse_code)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stock_reservation_lines`);
    await q.query(`DROP TABLE stock_reservations`);
    await q.query(`ALTER TABLE stock_levels DROP COLUMN reserved`);
  }
}
