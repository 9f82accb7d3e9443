import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19: `products.skus_revision`, moved by every write of a product's SKUs (`save`). A read
 * of a product under its row lock with its SKUs in one statement compares the locked row's
 * revision with its snapshot's: the SKUs are read again only when a writer changed them while
 * the lock was waited for, not when one moved only stock (a reservation's commit).
 */
export class SkusRevision1768000000100 implements MigrationInterface {
  name = 'SkusRevision1768000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE products ADD COLUMN skus_revision bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE products DROP COLUMN skus_revision`);
  }
}
