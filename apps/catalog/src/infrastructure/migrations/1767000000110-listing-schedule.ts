import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled listing and delisting (issue 18): when the listing sweep publishes a DRAFT product
 * and archives an ACTIVE one. Each is cleared once acted on; the partial indexes keep the
 * sweep's claim of due rows cheap however many products there are.
 */
export class ListingSchedule1767000000110 implements MigrationInterface {
  name = 'ListingSchedule1767000000110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE products
        ADD COLUMN publish_at timestamptz,
        ADD COLUMN unpublish_at timestamptz,
        ADD CONSTRAINT products_schedule_order
          CHECK (publish_at IS NULL OR unpublish_at IS NULL OR unpublish_at > publish_at)`);
    await q.query(
      `CREATE INDEX products_publish_due_idx ON products (publish_at) WHERE publish_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX products_unpublish_due_idx ON products (unpublish_at) WHERE unpublish_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX products_unpublish_due_idx`);
    await q.query(`DROP INDEX products_publish_due_idx`);
    await q.query(`
      ALTER TABLE products DROP CONSTRAINT products_schedule_order,
        DROP COLUMN unpublish_at, DROP COLUMN publish_at`);
  }
}
