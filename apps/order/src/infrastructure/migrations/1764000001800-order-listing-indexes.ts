import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operators list the orders of every account, newest first, and those of one status (the ones
 * held for review): each listing walks an index in its order and stops at the page's end, instead
 * of reading and sorting the whole table (an account's orders already have orders_account_idx).
 *
 * Built CONCURRENTLY, so checkouts keep writing orders while a large table is indexed: this
 * migration runs outside a transaction (`transaction = false`). A build that failed half-way
 * leaves an invalid index behind, which a retry drops first.
 */
export class OrderListingIndexes1764000001800 implements MigrationInterface {
  name = 'OrderListingIndexes1764000001800';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, columns] of [
      ['orders_created_idx', 'created_at DESC, id DESC'],
      ['orders_status_created_idx', 'status, created_at DESC, id DESC'],
    ]) {
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
      await q.query(`CREATE INDEX CONCURRENTLY ${name} ON orders (${columns})`);
    }
  }

  // undone in a transaction (TypeORM reverts in one): a plain DROP INDEX
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS orders_status_created_idx`);
    await q.query(`DROP INDEX IF EXISTS orders_created_idx`);
  }
}
