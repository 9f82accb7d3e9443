import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MembershipPoints1764000000300 implements MigrationInterface {
  name = 'MembershipPoints1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tiers (
        code            text PRIMARY KEY,
        name            text NOT NULL,
        min_spend_minor bigint NOT NULL CHECK (min_spend_minor >= 0),
        currency        char(3) NOT NULL,
        CONSTRAINT tiers_threshold_key UNIQUE (min_spend_minor)
      )`);
    // Default tiers (rolling 12-month spend in CNY); operators change the rows, not the code.
    await q.query(`
      INSERT INTO tiers (code, name, min_spend_minor, currency) VALUES
        ('MEMBER', 'Member', 0, 'CNY'),
        ('SILVER', 'Silver', 100000, 'CNY'),
        ('GOLD', 'Gold', 500000, 'CNY'),
        ('PLATINUM', 'Platinum', 2000000, 'CNY')`);
    await q.query(`
      CREATE TABLE memberships (
        account_id uuid PRIMARY KEY REFERENCES accounts(id),
        tier_code  text NOT NULL REFERENCES tiers(code),
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE member_spend (
        account_id   uuid NOT NULL REFERENCES accounts(id),
        ref          text NOT NULL,
        amount_minor bigint NOT NULL,
        currency     char(3) NOT NULL,
        at           timestamptz NOT NULL,
        PRIMARY KEY (account_id, ref)
      )`);
    await q.query(`CREATE INDEX member_spend_at_idx ON member_spend (account_id, at)`);
    await q.query(`
      CREATE TABLE points_lots (
        id         uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id),
        source_ref text NOT NULL,
        points     bigint NOT NULL CHECK (points > 0),
        remaining  bigint NOT NULL CHECK (remaining >= 0 AND remaining <= points),
        earned_at  timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT points_lots_source_key UNIQUE (account_id, source_ref)
      )`);
    await q.query(
      `CREATE INDEX points_lots_live_idx ON points_lots (account_id, expires_at) WHERE remaining > 0`,
    );
    await q.query(
      `CREATE INDEX points_lots_expiry_idx ON points_lots (expires_at) WHERE remaining > 0`,
    );
    await q.query(`
      CREATE TABLE points_ledger (
        id            bigserial PRIMARY KEY,
        account_id    uuid NOT NULL REFERENCES accounts(id),
        type          text NOT NULL CHECK (type IN ('EARN', 'REDEEM', 'EXPIRE', 'REVOKE', 'REDEMPTION_REFUND')),
        points        bigint NOT NULL,
        lot_id        uuid NOT NULL REFERENCES points_lots(id),
        ref           text NOT NULL,
        at            timestamptz NOT NULL,
        balance_after bigint NOT NULL CHECK (balance_after >= 0)
      )`);
    await q.query(`CREATE INDEX points_ledger_ref_idx ON points_ledger (account_id, ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['points_ledger', 'points_lots', 'member_spend', 'memberships', 'tiers'])
      await q.query(`DROP TABLE ${t}`);
  }
}
