import type { MigrationInterface, QueryRunner } from 'typeorm';

const DAY = 86_400;

/**
 * Default rules of issue 24 (abnormal orders sent to review), all REVIEW; fixed ids after those
 * of 1764000001600 (…01 to …0d) so they can be found and tuned with UpsertRule. Why these
 * thresholds: apps/risk/README.md ("Address and return defaults").
 */
export const RULES: [string, string, string, number, object][] = [
  // id, name, kind, score, params
  [
    '00000000-0000-4000-8000-00000000000e',
    'doubtful shipping address',
    'ADDRESS_QUALITY',
    40,
    { dimension: 'ANY' },
  ],
  [
    '00000000-0000-4000-8000-00000000000f',
    'one account ordering to 4 or more addresses in a day',
    'ADDRESS_SPREAD',
    30,
    { dimension: 'ACCOUNT', windowSeconds: DAY, threshold: 4 },
  ],
  [
    '00000000-0000-4000-8000-000000000010',
    '10 or more accounts ordering to one address in a day',
    'ADDRESS_SPREAD',
    30,
    { dimension: 'ADDRESS', windowSeconds: DAY, threshold: 10 },
  ],
  [
    '00000000-0000-4000-8000-000000000011',
    '60% or more of delivered lines returned in 90 days (at least 5 lines delivered)',
    'RETURN_ABUSE',
    40,
    { dimension: 'RETURN_RATE', windowSeconds: 90 * DAY, threshold: 60, minSample: 5 },
  ],
  [
    '00000000-0000-4000-8000-000000000012',
    '4 or more exchanges in 90 days',
    'RETURN_ABUSE',
    30,
    { dimension: 'EXCHANGES', windowSeconds: 90 * DAY, threshold: 4 },
  ],
  [
    '00000000-0000-4000-8000-000000000013',
    '3 or more refunds without a return in 90 days',
    'RETURN_ABUSE',
    40,
    { dimension: 'REFUNDS_WITHOUT_RETURN', windowSeconds: 90 * DAY, threshold: 3 },
  ],
  [
    '00000000-0000-4000-8000-000000000014',
    'a return with other items than those sold in the last year',
    'RETURN_ABUSE',
    60,
    { dimension: 'ITEMS_MISMATCH', windowSeconds: 365 * DAY, threshold: 1 },
  ],
];

/** Seeds the address and return-abuse rules (orders, REVIEW); a rule id already taken is kept. */
export class AddressAndReturnRules1764000002000 implements MigrationInterface {
  name = 'AddressAndReturnRules1764000002000';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, name, kind, score, params] of RULES)
      await q.query(
        `INSERT INTO rules (id, name, kind, applies_to, action, score, active, params, updated_at)
         VALUES ($1, $2, $3, 'ORDER', 'REVIEW', $4, true, $5, now())
         ON CONFLICT (id) DO NOTHING`,
        [id, name, kind, score, JSON.stringify(params)],
      );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM rules WHERE id = ANY($1::uuid[])`, [RULES.map(([id]) => id)]);
  }
}
