import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KnownLogins1764000000400 implements MigrationInterface {
  name = 'KnownLogins1764000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE known_logins (
        account_id uuid NOT NULL REFERENCES accounts(id),
        kind       text NOT NULL CHECK (kind IN ('DEVICE', 'IP')),
        value      text NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen  timestamptz NOT NULL,
        PRIMARY KEY (account_id, kind, value)
      )`);
    await q.query(`ALTER TABLE accounts ADD COLUMN frozen_reason text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP COLUMN frozen_reason`);
    await q.query(`DROP TABLE known_logins`);
  }
}
