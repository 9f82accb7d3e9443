import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserSchema1764000000200 implements MigrationInterface {
  name = 'UserSchema1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id            uuid PRIMARY KEY,
        email         text,
        phone         text,
        password_hash text NOT NULL,
        roles         text[] NOT NULL,
        status        text NOT NULL CHECK (status IN ('ACTIVE', 'FROZEN')),
        created_at    timestamptz NOT NULL,
        CONSTRAINT accounts_identifier_present CHECK (email IS NOT NULL OR phone IS NOT NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX accounts_email_key ON accounts (email) WHERE email IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX accounts_phone_key ON accounts (phone) WHERE phone IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE refresh_token_families (
        id                 uuid PRIMARY KEY,
        account_id         uuid NOT NULL REFERENCES accounts(id),
        current_token_hash text NOT NULL,
        expires_at         timestamptz NOT NULL,
        revoked_at         timestamptz,
        revoked_reason     text,
        created_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX refresh_token_families_account_idx ON refresh_token_families (account_id)`,
    );
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash text PRIMARY KEY,
        family_id  uuid NOT NULL REFERENCES refresh_token_families(id),
        issued_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`
      CREATE TABLE signing_keys (
        kid         text PRIMARY KEY,
        algorithm   text NOT NULL,
        private_jwk jsonb NOT NULL,
        public_jwk  jsonb NOT NULL,
        created_at  timestamptz NOT NULL,
        retired_at  timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['signing_keys', 'refresh_tokens', 'refresh_token_families', 'accounts'])
      await q.query(`DROP TABLE ${t}`);
  }
}
