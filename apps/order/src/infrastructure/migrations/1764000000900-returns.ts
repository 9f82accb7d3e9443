import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Returns1764000000900 implements MigrationInterface {
  name = 'Returns1764000000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE returns (
        id           uuid PRIMARY KEY,
        order_id     uuid NOT NULL REFERENCES orders(id),
        account_id   uuid NOT NULL,
        lines        jsonb NOT NULL,
        reason       text NOT NULL,
        status       text NOT NULL CHECK (status IN ('REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'REFUNDING', 'REFUNDED')),
        refund_minor bigint CHECK (refund_minor >= 0),
        currency     char(3),
        note         text,
        restocked    boolean NOT NULL DEFAULT false,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX returns_order_idx ON returns (order_id, created_at)`);
    await q.query(
      `CREATE INDEX returns_unfinished_idx ON returns (updated_at) WHERE status IN ('RECEIVED', 'REFUNDING')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE returns`);
  }
}
