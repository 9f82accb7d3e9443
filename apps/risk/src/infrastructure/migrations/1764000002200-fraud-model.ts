import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default MODEL_SCORE rule (issue 23): REVIEW an order the fraud model scores at or above the
 * threshold its training suggests for a review budget of 2 % of orders (per mille; the model card
 * `apps/risk/model/fraud-model.card.json`, `thresholdPerMille`). Operators tune or switch it off
 * with UpsertRule like any rule; without a model it never hits.
 */
export const FRAUD_MODEL_RULE: [string, string, string, number, object] = [
  // id, name, kind, score, params
  '00000000-0000-4000-8000-000000000015',
  'fraud model score at or above the review threshold',
  'MODEL_SCORE',
  50,
  { threshold: 359 },
];

/**
 * The fraud model in the audit trail and the facts it reads: each order decision keeps the
 * version of the model that scored it and its probability (null when none did); cancelled orders
 * join the account's history (`CANCELLED`, for the cancel rate); the default MODEL_SCORE rule.
 */
export class FraudModel1764000002200 implements MigrationInterface {
  name = 'FraudModel1764000002200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decisions ADD COLUMN model_version text`);
    await q.query(`ALTER TABLE decisions ADD COLUMN model_score double precision`);
    await q.query(
      `ALTER TABLE account_return_facts DROP CONSTRAINT account_return_facts_kind_check`,
    );
    await q.query(
      `ALTER TABLE account_return_facts ADD CONSTRAINT account_return_facts_kind_check
         CHECK (kind IN ('DELIVERED', 'RETURNED', 'EXCHANGE', 'REFUND_ONLY', 'ITEMS_MISMATCH', 'CANCELLED'))`,
    );
    const [id, name, kind, score, params] = FRAUD_MODEL_RULE;
    await q.query(
      `INSERT INTO rules (id, name, kind, applies_to, action, score, active, params, updated_at)
       VALUES ($1, $2, $3, 'ORDER', 'REVIEW', $4, true, $5, now())
       ON CONFLICT (id) DO NOTHING`,
      [id, name, kind, score, JSON.stringify(params)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM rules WHERE id = $1`, [FRAUD_MODEL_RULE[0]]);
    await q.query(`DELETE FROM account_return_facts WHERE kind = 'CANCELLED'`);
    await q.query(
      `ALTER TABLE account_return_facts DROP CONSTRAINT account_return_facts_kind_check`,
    );
    await q.query(
      `ALTER TABLE account_return_facts ADD CONSTRAINT account_return_facts_kind_check
         CHECK (kind IN ('DELIVERED', 'RETURNED', 'EXCHANGE', 'REFUND_ONLY', 'ITEMS_MISMATCH'))`,
    );
    await q.query(`ALTER TABLE decisions DROP COLUMN model_score`);
    await q.query(`ALTER TABLE decisions DROP COLUMN model_version`);
  }
}
