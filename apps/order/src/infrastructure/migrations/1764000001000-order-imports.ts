import type { MigrationInterface, QueryRunner } from 'typeorm';

/** External marketplace orders imported, once each. */
export class OrderImports1764000001000 implements MigrationInterface {
  name = 'OrderImports1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE order_imports (
        source      text NOT NULL,
        external_id text NOT NULL,
        order_id    uuid NOT NULL UNIQUE REFERENCES orders(id),
        created_at  timestamptz NOT NULL,
        PRIMARY KEY (source, external_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_imports`);
  }
}
