import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coupon expiry notice (issue 18): when the holder of a coupon was told it expires soon
 * (`CouponExpiring`, once per coupon), and the indexes the sweep reads by: templates by the end
 * of their validity, and the coupons still to notice per template.
 */
export class CouponExpiryNotice1767000001500 implements MigrationInterface {
  name = 'CouponExpiryNotice1767000001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE coupons ADD COLUMN expiry_noticed_at timestamptz`);
    await q.query(`CREATE INDEX coupon_templates_valid_to ON coupon_templates (valid_to)`);
    await q.query(
      `CREATE INDEX coupons_expiry_pending ON coupons (template_id, code)
       WHERE expiry_noticed_at IS NULL AND owner_id IS NOT NULL AND status IN ('ISSUED', 'CLAIMED')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX coupons_expiry_pending`);
    await q.query(`DROP INDEX coupon_templates_valid_to`);
    await q.query(`ALTER TABLE coupons DROP COLUMN expiry_noticed_at`);
  }
}
