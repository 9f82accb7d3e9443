import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who is restocking a received return, so two workers never restock it twice. */
export class ReturnRestockClaim1764000001100 implements MigrationInterface {
  name = 'ReturnRestockClaim1764000001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE returns ADD COLUMN restock_claimed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE returns DROP COLUMN restock_claimed_at`);
  }
}
