import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Warehouses as data: location and shipping cost, for routing orders. Optional: stock levels
 * keep their free-form warehouse codes (no foreign key), so stock in a warehouse nobody
 * registered still counts, with no known location and no cost.
 */
export class Warehouses1764000000170 implements MigrationInterface {
  name = 'Warehouses1764000000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE warehouses (
        code                text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
        name                text NOT NULL,
        country             char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        province            text NOT NULL,
        city                text NOT NULL,
        shipping_cost_minor bigint NOT NULL CHECK (shipping_cost_minor >= 0),
        currency            char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        active              boolean NOT NULL DEFAULT true,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE warehouses`);
  }
}
