import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stock movements name what caused them when it is not an adjustment: a committed reservation
 * leaves a movement with reason 'order' and the reservation id as its reference.
 */
export class StockMovementReference1764000000160 implements MigrationInterface {
  name = 'StockMovementReference1764000000160';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stock_movements ADD COLUMN reference text`);
    await q.query(
      `CREATE INDEX stock_movements_reference_idx ON stock_movements (reference) WHERE reference IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX stock_movements_reference_idx`);
    await q.query(`ALTER TABLE stock_movements DROP COLUMN reference`);
  }
}
