import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Units sold per SKU: what committed stock reservations took, counted when a reservation is
 * committed (in its transaction) and never lowered. Reservations committed before this
 * migration are counted from their lines, which are never deleted. A product's figure is the
 * sum over its SKUs (SKUs are never removed), so it needs no column of its own.
 */
export class UnitsSold1764000000180 implements MigrationInterface {
  name = 'UnitsSold1764000000180';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE skus ADD COLUMN units_sold bigint NOT NULL DEFAULT 0 CONSTRAINT skus_units_sold_nonnegative CHECK (units_sold >= 0)`,
    );
    await q.query(`
      UPDATE skus s SET units_sold = c.sold
      FROM (SELECT l.sku_id, sum(l.quantity) AS sold
            FROM stock_reservation_lines l JOIN stock_reservations r ON r.id = l.reservation_id
            WHERE r.status = 'COMMITTED' GROUP BY l.sku_id) c
      WHERE s.id = c.sku_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE skus DROP COLUMN units_sold`);
  }
}
