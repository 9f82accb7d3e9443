import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The accounts' return history for RETURN_ABUSE rules (issue 24), kept from order events: one
 * row per fact (`DELIVERED:<shipment id>`, `RETURNED:<return id>`, …), so an event seen twice
 * adds nothing. Read per account over a window (the btree index); pruned after 366 days by age
 * (a BRIN index: rows arrive about in time order, and it costs next to nothing to keep).
 */
export class AccountReturnFacts1764000001900 implements MigrationInterface {
  name = 'AccountReturnFacts1764000001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_return_facts (
        fact_id text PRIMARY KEY,
        account_id text NOT NULL,
        kind text NOT NULL
          CHECK (kind IN ('DELIVERED', 'RETURNED', 'EXCHANGE', 'REFUND_ONLY', 'ITEMS_MISMATCH')),
        lines integer NOT NULL CHECK (lines >= 0),
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX account_return_facts_account ON account_return_facts (account_id, occurred_at)`,
    );
    await q.query(
      `CREATE INDEX account_return_facts_age ON account_return_facts USING brin (occurred_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_return_facts`);
  }
}
