import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each membership was last evaluated: spend ages out of the rolling 12-month window with
 * no event to notice it, so the sweep re-evaluates memberships not evaluated for a day.
 */
export class MembershipEvaluatedAt1764000000600 implements MigrationInterface {
  name = 'MembershipEvaluatedAt1764000000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memberships ADD COLUMN evaluated_at timestamptz`);
    await q.query(`UPDATE memberships SET evaluated_at = updated_at`);
    await q.query(`ALTER TABLE memberships ALTER COLUMN evaluated_at SET NOT NULL`);
    await q.query(`ALTER TABLE memberships ALTER COLUMN evaluated_at SET DEFAULT now()`);
    await q.query(`CREATE INDEX memberships_evaluated_at_idx ON memberships (evaluated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE memberships DROP COLUMN evaluated_at`);
  }
}
