import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Default review rules (issue 17: brushing checks before a review is shown), fixed ids so they
 * can be found and tuned with UpsertRule. VELOCITY counts "more than threshold", so threshold 4
 * holds the 5th review from one device or address in a day.
 */
export const REVIEW_RULES: [string, string, string, string, number, object][] = [
  // id, name, kind, action, score, params
  [
    '00000000-0000-4000-8000-000000000101',
    'blacklisted account reviewing',
    'LIST_MATCH',
    'REJECT',
    100,
    { listKind: 'ACCOUNT' },
  ],
  [
    '00000000-0000-4000-8000-000000000102',
    'blacklisted device reviewing',
    'LIST_MATCH',
    'REJECT',
    100,
    { listKind: 'DEVICE' },
  ],
  [
    '00000000-0000-4000-8000-000000000103',
    'blacklisted IP reviewing',
    'LIST_MATCH',
    'REJECT',
    100,
    { listKind: 'IP' },
  ],
  [
    '00000000-0000-4000-8000-000000000104',
    '5 or more reviews a day from one device',
    'VELOCITY',
    'REVIEW',
    50,
    { dimension: 'DEVICE', windowSeconds: 86_400, threshold: 4 },
  ],
  [
    '00000000-0000-4000-8000-000000000105',
    '5 or more reviews a day to one address',
    'VELOCITY',
    'REVIEW',
    50,
    { dimension: 'ADDRESS', windowSeconds: 86_400, threshold: 4 },
  ],
  [
    '00000000-0000-4000-8000-000000000106',
    'more than 20 reviews a day from one IP',
    'VELOCITY',
    'REVIEW',
    40,
    { dimension: 'IP', windowSeconds: 86_400, threshold: 20 },
  ],
  [
    '00000000-0000-4000-8000-000000000107',
    'account younger than 3 days',
    'NEW_ACCOUNT',
    'REVIEW',
    30,
    { windowSeconds: 3 * 86_400 },
  ],
  [
    '00000000-0000-4000-8000-000000000108',
    '5 reviews within an hour, each within 2 hours of its delivery',
    'BULK_AFTER_DELIVERY',
    'REVIEW',
    50,
    { windowSeconds: 3600, threshold: 5, deliveryWindowSeconds: 7200 },
  ],
];

/** Rules and decisions for reviews: applies_to REVIEW, one decision per review. */
export class RiskReviews1764000001700 implements MigrationInterface {
  name = 'RiskReviews1764000001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rules DROP CONSTRAINT rules_applies_to_check`);
    await q.query(
      `ALTER TABLE rules ADD CONSTRAINT rules_applies_to_check CHECK (applies_to IN ('ORDER', 'LOGIN', 'REVIEW'))`,
    );
    await q.query(`ALTER TABLE decisions DROP CONSTRAINT decisions_kind_check`);
    await q.query(
      `ALTER TABLE decisions ADD CONSTRAINT decisions_kind_check CHECK (kind IN ('ORDER', 'LOGIN', 'REVIEW'))`,
    );
    // one decision per review: a retried ScoreReview gets the first answer
    await q.query(
      `CREATE UNIQUE INDEX decisions_one_per_review ON decisions (subject_id) WHERE kind = 'REVIEW'`,
    );
    for (const [id, name, kind, action, score, params] of REVIEW_RULES)
      await q.query(
        `INSERT INTO rules (id, name, kind, applies_to, action, score, active, params, updated_at)
         VALUES ($1, $2, $3, 'REVIEW', $4, $5, true, $6, now())`,
        [id, name, kind, action, score, JSON.stringify(params)],
      );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM rules WHERE applies_to = 'REVIEW'`);
    await q.query(`DELETE FROM decisions WHERE kind = 'REVIEW'`);
    await q.query(`DROP INDEX decisions_one_per_review`);
    await q.query(`ALTER TABLE decisions DROP CONSTRAINT decisions_kind_check`);
    await q.query(
      `ALTER TABLE decisions ADD CONSTRAINT decisions_kind_check CHECK (kind IN ('ORDER', 'LOGIN'))`,
    );
    await q.query(`ALTER TABLE rules DROP CONSTRAINT rules_applies_to_check`);
    await q.query(
      `ALTER TABLE rules ADD CONSTRAINT rules_applies_to_check CHECK (applies_to IN ('ORDER', 'LOGIN'))`,
    );
  }
}
