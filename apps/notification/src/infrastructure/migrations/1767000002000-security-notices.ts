import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SECURITY_TEMPLATES } from './default-templates';

/**
 * Issue 23: the SECURITY category (one-time codes, new-device and security-change notices) in the
 * delivery log, and its templates (an operator's own words for a key are kept).
 */
export class SecurityNotices1767000002000 implements MigrationInterface {
  name = 'SecurityNotices1767000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE deliveries
        DROP CONSTRAINT deliveries_category_check,
        ADD CONSTRAINT deliveries_category_check
          CHECK (category IN ('ORDER', 'SERVICE', 'MARKETING', 'OPERATIONS', 'SECURITY'))`);
    for (const [key, channel, locale, subject, body] of SECURITY_TEMPLATES)
      await q.query(
        `INSERT INTO templates (key, channel, locale, subject, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key, channel, locale) DO NOTHING`,
        [key, channel, locale, subject, body],
      );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM templates WHERE key = ANY($1)`, [
      [...new Set(SECURITY_TEMPLATES.map(([key]) => key))],
    ]);
    await q.query(`DELETE FROM deliveries WHERE category = 'SECURITY'`);
    await q.query(`
      ALTER TABLE deliveries
        DROP CONSTRAINT deliveries_category_check,
        ADD CONSTRAINT deliveries_category_check
          CHECK (category IN ('ORDER', 'SERVICE', 'MARKETING', 'OPERATIONS'))`);
  }
}
