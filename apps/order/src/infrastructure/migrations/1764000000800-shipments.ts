import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Shipments1764000000800 implements MigrationInterface {
  name = 'Shipments1764000000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shipments (
        id              uuid PRIMARY KEY,
        order_id        uuid NOT NULL REFERENCES orders(id),
        warehouse_code  text NOT NULL,
        lines           jsonb NOT NULL,
        status          text NOT NULL CHECK (status IN ('PENDING', 'SHIPPED', 'DELIVERED', 'EXCEPTION')),
        carrier         text,
        tracking_number text,
        events          jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        CONSTRAINT shipments_one_per_warehouse UNIQUE (order_id, warehouse_code)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX shipments_tracking_key ON shipments (carrier, tracking_number) WHERE tracking_number IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE shipments`);
  }
}
