import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: an order remembers where it was placed (the checkout's channel; an imported order's
 * source), for `OrderPlaced.channel` and the operators' figures by channel. Orders placed
 * before this migration have none (''); imported ones get their source back from `order_imports`.
 */
export class OrderChannel1764000001700 implements MigrationInterface {
  name = 'OrderChannel1764000001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT ''`);
    await q.query(
      `UPDATE orders o SET channel = i.source FROM order_imports i WHERE i.order_id = o.id`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN channel`);
  }
}
