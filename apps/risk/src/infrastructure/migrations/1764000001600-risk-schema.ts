import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Default rules an operator can tune or switch off (fixed ids, so they can be found). */
export const DEFAULT_RULES: [string, string, string, string, string, number, object][] = [
  // id, name, kind, applies_to, action, score, params
  [
    '00000000-0000-4000-8000-000000000001',
    'blacklisted account',
    'LIST_MATCH',
    'ORDER',
    'REJECT',
    100,
    { listKind: 'ACCOUNT' },
  ],
  [
    '00000000-0000-4000-8000-000000000002',
    'blacklisted device',
    'LIST_MATCH',
    'ORDER',
    'REJECT',
    100,
    { listKind: 'DEVICE' },
  ],
  [
    '00000000-0000-4000-8000-000000000003',
    'blacklisted IP',
    'LIST_MATCH',
    'ORDER',
    'REJECT',
    100,
    { listKind: 'IP' },
  ],
  [
    '00000000-0000-4000-8000-000000000004',
    'blacklisted address',
    'LIST_MATCH',
    'ORDER',
    'REJECT',
    100,
    { listKind: 'ADDRESS' },
  ],
  [
    '00000000-0000-4000-8000-000000000005',
    'blacklisted phone',
    'LIST_MATCH',
    'ORDER',
    'REJECT',
    100,
    { listKind: 'PHONE' },
  ],
  [
    '00000000-0000-4000-8000-000000000006',
    'more than 10 orders an hour from one account',
    'VELOCITY',
    'ORDER',
    'REVIEW',
    40,
    { dimension: 'ACCOUNT', windowSeconds: 3600, threshold: 10 },
  ],
  [
    '00000000-0000-4000-8000-000000000007',
    'more than 30 orders an hour from one IP',
    'VELOCITY',
    'ORDER',
    'REVIEW',
    40,
    { dimension: 'IP', windowSeconds: 3600, threshold: 30 },
  ],
  [
    '00000000-0000-4000-8000-000000000008',
    'brushing: 5 small orders or 5 accounts to one address in an hour',
    'BRUSHING',
    'ORDER',
    'REVIEW',
    60,
    { amount: { amountMinor: 1000, currency: 'CNY' }, windowSeconds: 3600, threshold: 5 },
  ],
  [
    '00000000-0000-4000-8000-000000000009',
    'coupon abuse: 3 accounts with coupons on one device in a day',
    'COUPON_ABUSE',
    'ORDER',
    'REVIEW',
    50,
    { dimension: 'DEVICE', windowSeconds: 86400, threshold: 3 },
  ],
  [
    '00000000-0000-4000-8000-00000000000a',
    'order soon after a login anomaly',
    'LOGIN_ANOMALY',
    'ORDER',
    'REVIEW',
    20,
    { windowSeconds: 3600 },
  ],
  [
    '00000000-0000-4000-8000-00000000000b',
    'blacklisted account signing in',
    'LIST_MATCH',
    'LOGIN',
    'REJECT',
    100,
    { listKind: 'ACCOUNT' },
  ],
  [
    '00000000-0000-4000-8000-00000000000c',
    'blacklisted IP signing in',
    'LIST_MATCH',
    'LOGIN',
    'REJECT',
    100,
    { listKind: 'IP' },
  ],
  [
    '00000000-0000-4000-8000-00000000000d',
    'more than 30 sign-ins a minute from one IP',
    'LOGIN_VELOCITY',
    'LOGIN',
    'REVIEW',
    40,
    { dimension: 'IP', windowSeconds: 60, threshold: 30 },
  ],
];

/** Rules, lists and the decision audit trail. */
export class RiskSchema1764000001600 implements MigrationInterface {
  name = 'RiskSchema1764000001600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rules (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        applies_to text NOT NULL CHECK (applies_to IN ('ORDER', 'LOGIN')),
        action text NOT NULL CHECK (action IN ('REVIEW', 'REJECT')),
        score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
        active boolean NOT NULL,
        params jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    for (const [id, name, kind, appliesTo, action, score, params] of DEFAULT_RULES)
      await q.query(
        `INSERT INTO rules (id, name, kind, applies_to, action, score, active, params, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, true, $7, now())`,
        [id, name, kind, appliesTo, action, score, JSON.stringify(params)],
      );
    await q.query(`
      CREATE TABLE list_entries (
        kind text NOT NULL CHECK (kind IN ('ACCOUNT', 'DEVICE', 'IP', 'ADDRESS', 'PHONE')),
        value text NOT NULL,
        reason text NOT NULL DEFAULT '',
        added_at timestamptz NOT NULL,
        PRIMARY KEY (kind, value)
      )`);
    await q.query(`
      CREATE TABLE decisions (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('ORDER', 'LOGIN')),
        subject_id text NOT NULL,
        account_id text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('ALLOW', 'REVIEW', 'REJECT')),
        score integer NOT NULL,
        reasons text[] NOT NULL,
        signals jsonb NOT NULL,
        decided_at timestamptz NOT NULL
      )`);
    // one decision per order: a retried checkout gets the first answer
    await q.query(
      `CREATE UNIQUE INDEX decisions_one_per_order ON decisions (subject_id) WHERE kind = 'ORDER'`,
    );
    await q.query(`CREATE INDEX decisions_account ON decisions (account_id, decided_at DESC)`);
    await q.query(`CREATE INDEX decisions_time ON decisions (decided_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decisions`);
    await q.query(`DROP TABLE list_entries`);
    await q.query(`DROP TABLE rules`);
  }
}
