import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group buying: a group-buy order's group and its wait for it (PENDING, CONFIRMED, FAILED), and
 * marketing's decisions about orders that were still being placed when they arrived.
 */
export class GroupBuy1764000001300 implements MigrationInterface {
  name = 'GroupBuy1764000001300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN group_id text`);
    await q.query(
      `ALTER TABLE orders ADD COLUMN group_status text CHECK (group_status IN ('PENDING', 'CONFIRMED', 'FAILED'))`,
    );
    await q.query(
      `ALTER TABLE orders ADD CONSTRAINT orders_group_complete CHECK ((group_id IS NULL) = (group_status IS NULL))`,
    );
    // paid orders of failed groups whose refund the sweep still has to finish
    await q.query(
      `CREATE INDEX orders_group_refund_due_idx ON orders (updated_at) WHERE group_status = 'FAILED' AND status = 'PAID'`,
    );
    await q.query(`
      CREATE TABLE group_decisions (
        order_id   uuid PRIMARY KEY,
        group_id   text NOT NULL,
        decision   text NOT NULL CHECK (decision IN ('CONFIRMED', 'FAILED')),
        reason     text NOT NULL DEFAULT '',
        decided_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE group_decisions`);
    await q.query(`DROP INDEX orders_group_refund_due_idx`);
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_group_complete`);
    await q.query(`ALTER TABLE orders DROP COLUMN group_status`);
    await q.query(`ALTER TABLE orders DROP COLUMN group_id`);
  }
}
