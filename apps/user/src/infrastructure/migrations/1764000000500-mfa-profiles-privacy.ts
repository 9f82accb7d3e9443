import type { MigrationInterface, QueryRunner } from 'typeorm';

/** MFA, profiles, consents, addresses, erasure, and tier table versions for re-evaluation. */
export class MfaProfilesPrivacy1764000000500 implements MigrationInterface {
  name = 'MfaProfilesPrivacy1764000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mfa_credentials (
        account_id        uuid PRIMARY KEY REFERENCES accounts(id),
        status            text NOT NULL CHECK (status IN ('PENDING', 'ACTIVE')),
        secret_sealed     text NOT NULL,
        last_used_counter bigint,
        created_at        timestamptz NOT NULL,
        confirmed_at      timestamptz
      )`);
    await q.query(`
      CREATE TABLE mfa_recovery_codes (
        account_id uuid NOT NULL REFERENCES accounts(id),
        code_hash  text NOT NULL,
        used_at    timestamptz,
        PRIMARY KEY (account_id, code_hash)
      )`);
    await q.query(`
      CREATE TABLE mfa_challenges (
        token_hash   text PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        account_id   uuid NOT NULL REFERENCES accounts(id),
        throttle_key text NOT NULL,
        device_id    text NOT NULL,
        ip           text NOT NULL,
        expires_at   timestamptz NOT NULL,
        attempts     int NOT NULL DEFAULT 0,
        used_at      timestamptz
      )`);
    await q.query(`CREATE INDEX mfa_challenges_account_idx ON mfa_challenges (account_id)`);
    await q.query(`
      CREATE TABLE profiles (
        account_id   uuid PRIMARY KEY REFERENCES accounts(id),
        display_name text NOT NULL,
        birthday     date,
        avatar_url   text,
        locale       text,
        updated_at   timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE consents (
        account_id uuid NOT NULL REFERENCES accounts(id),
        purpose    text NOT NULL,
        granted    boolean NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, purpose)
      )`);
    await q.query(`
      CREATE TABLE addresses (
        id          uuid PRIMARY KEY,
        account_id  uuid NOT NULL REFERENCES accounts(id),
        recipient   text NOT NULL,
        phone       text NOT NULL,
        country     char(2) NOT NULL,
        province    text NOT NULL,
        city        text NOT NULL,
        district    text NOT NULL,
        line1       text NOT NULL,
        line2       text NOT NULL,
        postal_code text NOT NULL,
        is_default  boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX addresses_account_idx ON addresses (account_id)`);
    // At most one default address per account, enforced by the database.
    await q.query(
      `CREATE UNIQUE INDEX addresses_one_default ON addresses (account_id) WHERE is_default`,
    );
    // Erasure: a deleted account keeps only its id (accounting rows point at it).
    await q.query(`ALTER TABLE accounts DROP CONSTRAINT accounts_status_check`);
    await q.query(
      `ALTER TABLE accounts ADD CONSTRAINT accounts_status_check CHECK (status IN ('ACTIVE', 'FROZEN', 'DELETED'))`,
    );
    await q.query(`ALTER TABLE accounts DROP CONSTRAINT accounts_identifier_present`);
    await q.query(
      `ALTER TABLE accounts ADD CONSTRAINT accounts_identifier_present CHECK (status = 'DELETED' OR email IS NOT NULL OR phone IS NOT NULL)`,
    );
    await q.query(`ALTER TABLE accounts ADD COLUMN deleted_at timestamptz`);
    // Tier table versions: a change queues every membership for re-evaluation.
    await q.query(`
      CREATE TABLE tier_settings (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        version   int NOT NULL
      )`);
    await q.query(`INSERT INTO tier_settings (version) VALUES (0)`);
    await q.query(`ALTER TABLE memberships ADD COLUMN tiers_version int NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX memberships_tiers_version_idx ON memberships (tiers_version)`);
    // Replacing the table may swap thresholds between rows within one transaction.
    await q.query(`ALTER TABLE tiers DROP CONSTRAINT tiers_threshold_key`);
    await q.query(
      `ALTER TABLE tiers ADD CONSTRAINT tiers_threshold_key UNIQUE (min_spend_minor) DEFERRABLE INITIALLY DEFERRED`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tiers DROP CONSTRAINT tiers_threshold_key`);
    await q.query(`ALTER TABLE tiers ADD CONSTRAINT tiers_threshold_key UNIQUE (min_spend_minor)`);
    await q.query(`ALTER TABLE memberships DROP COLUMN tiers_version`);
    await q.query(`DROP TABLE tier_settings`);
    await q.query(`ALTER TABLE accounts DROP COLUMN deleted_at`);
    for (const t of [
      'addresses',
      'consents',
      'profiles',
      'mfa_challenges',
      'mfa_recovery_codes',
      'mfa_credentials',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}
