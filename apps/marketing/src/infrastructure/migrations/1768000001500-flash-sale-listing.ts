import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operators list flash sales newest first, all or by status: the listing of all (and of ended
 * sales, most of them) walks flash_sales_created_idx in order; scheduled and live sales are
 * those not ended, found by flash_sales_ends_idx (which the sweep's query of the sales to keep
 * loaded, `ends_at > now`, uses too) and sorted, a handful.
 */
export class FlashSaleListing1768000001500 implements MigrationInterface {
  name = 'FlashSaleListing1768000001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX flash_sales_created_idx ON flash_sales (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX flash_sales_ends_idx ON flash_sales (ends_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX flash_sales_ends_idx`);
    await q.query(`DROP INDEX flash_sales_created_idx`);
  }
}
