import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: payment creation is idempotent in the order service. The provider's page of an
 * attempt (`redirect_url`); at most one open attempt (STARTED) per order and provider — of
 * earlier duplicates the newest stays open, the others are closed (FAILED); `payment_requests`
 * remembers which payment answered a caller's idempotency key.
 */
export class PaymentAttempts1764000001600 implements MigrationInterface {
  name = 'PaymentAttempts1764000001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments ADD COLUMN redirect_url text`);
    await q.query(`
      UPDATE payments p SET status = 'FAILED', updated_at = now()
       WHERE p.status = 'STARTED' AND EXISTS (
         SELECT 1 FROM payments n
          WHERE n.order_id = p.order_id AND n.provider = p.provider AND n.status = 'STARTED'
            AND (n.created_at, n.id) > (p.created_at, p.id))`);
    await q.query(
      `CREATE UNIQUE INDEX payments_open_attempt_key ON payments (order_id, provider) WHERE status = 'STARTED'`,
    );
    await q.query(`
      CREATE TABLE payment_requests (
        order_id    uuid NOT NULL,
        request_key text NOT NULL,
        payment_id  uuid NOT NULL REFERENCES payments(id),
        created_at  timestamptz NOT NULL,
        PRIMARY KEY (order_id, request_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_requests`);
    await q.query(`DROP INDEX payments_open_attempt_key`);
    await q.query(`ALTER TABLE payments DROP COLUMN redirect_url`);
  }
}
