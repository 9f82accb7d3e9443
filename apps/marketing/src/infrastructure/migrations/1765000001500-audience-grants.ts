import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Coupons handed out for analytics: to the accounts of exported audiences (one grant per
 * audience and account) and as reminders for abandoned carts (`cart-reminder`, capped by the
 * policy's interval); the cart reminder policy (one row).
 */
export class AudienceGrants1765000001500 implements MigrationInterface {
  name = 'AudienceGrants1765000001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audience_grants (
        id bigserial PRIMARY KEY,
        source text NOT NULL,
        account_id uuid NOT NULL,
        template_id uuid NOT NULL,
        coupon_code text REFERENCES coupons (code),
        outcome text NOT NULL CHECK (outcome IN ('GRANTED', 'SKIPPED')),
        reason text NOT NULL DEFAULT '',
        granted_at timestamptz NOT NULL,
        CHECK ((outcome = 'GRANTED') = (coupon_code IS NOT NULL))
      )`);
    // an audience gives each account one coupon; reminders repeat (capped by the policy)
    await q.query(
      `CREATE UNIQUE INDEX audience_grants_once ON audience_grants (source, account_id)
       WHERE source <> 'cart-reminder'`,
    );
    await q.query(
      `CREATE INDEX audience_grants_account ON audience_grants (account_id, source, granted_at)`,
    );
    await q.query(`CREATE INDEX audience_grants_recent ON audience_grants (granted_at, id)`);
    await q.query(`
      CREATE TABLE cart_reminder_policy (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        enabled boolean NOT NULL,
        coupon_template_id uuid REFERENCES coupon_templates (id),
        min_interval_hours integer NOT NULL CHECK (min_interval_hours BETWEEN 1 AND 8760),
        updated_at timestamptz NOT NULL,
        CHECK (NOT enabled OR coupon_template_id IS NOT NULL)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cart_reminder_policy`);
    await q.query(`DROP TABLE audience_grants`);
  }
}
