import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 23: passkeys (WebAuthn credentials), several per account, and the challenges of their
 * ceremonies. A challenge is stored by the SHA-256 of the WebAuthn challenge (never in clear),
 * works once and lives 5 minutes; a sweep deletes expired ones.
 */
export class Passkeys1764000000900 implements MigrationInterface {
  name = 'Passkeys1764000000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE passkeys (
        -- the WebAuthn credential id, base64url: unique across every account
        id           text PRIMARY KEY
          CHECK (id ~ '^[A-Za-z0-9_-]+$' AND char_length(id) <= 1400),
        account_id   uuid NOT NULL REFERENCES accounts(id),
        -- the COSE public key as the authenticator gave it
        public_key   bytea NOT NULL,
        counter      bigint NOT NULL DEFAULT 0 CHECK (counter >= 0),
        transports   text[] NOT NULL DEFAULT '{}',
        backed_up    boolean NOT NULL,
        device_type  text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
        name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 60),
        created_at   timestamptz NOT NULL,
        last_used_at timestamptz
      )`);
    await q.query(`CREATE INDEX passkeys_account_idx ON passkeys (account_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE passkey_challenges (
        -- SHA-256 (hex) of the WebAuthn challenge
        challenge_hash   text PRIMARY KEY,
        id               uuid NOT NULL UNIQUE,
        ceremony         text NOT NULL
          CHECK (ceremony IN ('REGISTRATION', 'SIGN_IN', 'SECOND_FACTOR', 'STEP_UP')),
        -- null for a sign-in without a password (any discoverable passkey may answer)
        account_id       uuid REFERENCES accounts(id),
        -- REGISTRATION: the session that started it
        session_id       uuid,
        -- SECOND_FACTOR: the password login's MFA challenge it answers
        mfa_challenge_id uuid,
        expires_at       timestamptz NOT NULL,
        used_at          timestamptz,
        CHECK (ceremony = 'SIGN_IN' OR account_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX passkey_challenges_expires_idx ON passkey_challenges (expires_at)`);
    await q.query(
      `CREATE INDEX passkey_challenges_account_idx ON passkey_challenges (account_id) WHERE account_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE passkey_challenges`);
    await q.query(`DROP TABLE passkeys`);
  }
}
