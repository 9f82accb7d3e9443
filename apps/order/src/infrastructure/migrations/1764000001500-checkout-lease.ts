import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: a checkout cut off by a crash can be retried. The attempt owning a STARTED record
 * (`attempt_id`), its last heartbeat (`heartbeat_at`; earlier releases write none, and their
 * `created_at` stands in for it) and how many attempts ran (`attempts`); a new status ABANDONED
 * (nothing held, a retry runs the saga again). Checkouts the earlier sweep marked FAILED
 * `CHECKOUT_ABANDONED` become ABANDONED, so their keys can be retried.
 */
export class CheckoutLease1764000001500 implements MigrationInterface {
  name = 'CheckoutLease1764000001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE checkouts
        ADD COLUMN attempt_id   uuid,
        ADD COLUMN heartbeat_at timestamptz,
        ADD COLUMN attempts     int NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE checkouts DROP CONSTRAINT checkouts_status_check`);
    await q.query(`
      ALTER TABLE checkouts ADD CONSTRAINT checkouts_status_check
        CHECK (status IN ('STARTED', 'PLACED', 'FAILED', 'ABANDONED'))`);
    await q.query(
      `UPDATE checkouts SET status = 'ABANDONED' WHERE status = 'FAILED' AND error_code = 'CHECKOUT_ABANDONED'`,
    );
    await q.query(`DROP INDEX checkouts_started_idx`);
    await q.query(
      `CREATE INDEX checkouts_started_idx ON checkouts ((COALESCE(heartbeat_at, created_at))) WHERE status = 'STARTED'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX checkouts_started_idx`);
    await q.query(
      `UPDATE checkouts SET status = 'FAILED', error_code = 'CHECKOUT_ABANDONED' WHERE status = 'ABANDONED'`,
    );
    await q.query(`ALTER TABLE checkouts DROP CONSTRAINT checkouts_status_check`);
    await q.query(`
      ALTER TABLE checkouts ADD CONSTRAINT checkouts_status_check
        CHECK (status IN ('STARTED', 'PLACED', 'FAILED'))`);
    await q.query(
      `CREATE INDEX checkouts_started_idx ON checkouts (created_at) WHERE status = 'STARTED'`,
    );
    await q.query(`
      ALTER TABLE checkouts DROP COLUMN attempt_id, DROP COLUMN heartbeat_at, DROP COLUMN attempts`);
  }
}
