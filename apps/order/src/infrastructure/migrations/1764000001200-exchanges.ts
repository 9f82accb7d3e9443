import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Exchanges: a return can ship its SKUs again instead of refunding them. */
export class Exchanges1764000001200 implements MigrationInterface {
  name = 'Exchanges1764000001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE returns ADD COLUMN kind text NOT NULL DEFAULT 'REFUND' CHECK (kind IN ('REFUND', 'EXCHANGE'))`,
    );
    await q.query(`ALTER TABLE returns DROP CONSTRAINT returns_status_check`);
    await q.query(
      `ALTER TABLE returns ADD CONSTRAINT returns_status_check CHECK (status IN ('REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDING', 'REFUNDED', 'EXCHANGED'))`,
    );
    // replacement shipments belong to their return; one per warehouse per order or return
    await q.query(`ALTER TABLE shipments ADD COLUMN return_id uuid REFERENCES returns(id)`);
    await q.query(`ALTER TABLE shipments DROP CONSTRAINT shipments_one_per_warehouse`);
    await q.query(
      `CREATE UNIQUE INDEX shipments_one_per_warehouse ON shipments (order_id, warehouse_code, COALESCE(return_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX shipments_one_per_warehouse`);
    await q.query(`DELETE FROM shipments WHERE return_id IS NOT NULL`);
    await q.query(`ALTER TABLE shipments DROP COLUMN return_id`);
    await q.query(
      `ALTER TABLE shipments ADD CONSTRAINT shipments_one_per_warehouse UNIQUE (order_id, warehouse_code)`,
    );
    await q.query(`ALTER TABLE returns DROP COLUMN kind`);
  }
}
