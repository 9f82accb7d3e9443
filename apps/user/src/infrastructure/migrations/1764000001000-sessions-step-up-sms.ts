import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 23: sessions remember how they were opened, their client (device, address, place), their
 * last use and when a second factor was last proved in them (the step-up rule); SMS one-time
 * codes (stored hashed); SMS as a second factor; the User-Agent of a pending MFA sign-in.
 *
 * Every added column has a constant default or is nullable: no table rewrite. Sessions opened
 * before read `last_used_at` as their `created_at`.
 */
export class SessionsStepUpSms1764000001000 implements MigrationInterface {
  name = 'SessionsStepUpSms1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE refresh_token_families
        ADD COLUMN second_factor_at timestamptz,
        ADD COLUMN signed_in_with   text NOT NULL DEFAULT 'PASSWORD'
          CONSTRAINT refresh_token_families_signed_in_with_check CHECK (signed_in_with IN (
            'PASSWORD', 'PASSWORD+TOTP', 'PASSWORD+SMS', 'PASSWORD+PASSKEY',
            'PASSWORD+RECOVERY_CODE', 'PASSKEY')),
        ADD COLUMN device_id        text NOT NULL DEFAULT '',
        ADD COLUMN device_name      text NOT NULL DEFAULT '',
        ADD COLUMN ip               text NOT NULL DEFAULT '',
        ADD COLUMN place            text NOT NULL DEFAULT '',
        ADD COLUMN last_used_at     timestamptz`);
    // the sessions list and ForgetDevice read an account's live sessions
    await q.query(`
      CREATE INDEX refresh_token_families_live_idx
        ON refresh_token_families (account_id, device_id) WHERE revoked_at IS NULL`);
    await q.query(`ALTER TABLE mfa_challenges ADD COLUMN user_agent text NOT NULL DEFAULT ''`);
    // SMS as a second factor, to the account's phone: on since then, off when null
    await q.query(`ALTER TABLE accounts ADD COLUMN sms_mfa_enabled_at timestamptz`);
    await q.query(`
      CREATE TABLE sms_codes (
        id          uuid PRIMARY KEY,
        account_id  uuid NOT NULL REFERENCES accounts(id),
        purpose     text NOT NULL
          CHECK (purpose IN ('LOGIN', 'STEP_UP', 'PHONE_CHANGE', 'ENABLE_SMS_MFA')),
        -- what the code is bound to: the MFA challenge (LOGIN) or the session (the others)
        subject     text NOT NULL,
        phone       text NOT NULL,
        -- HMAC-SHA-256 of the code under a server key, never the code
        code_hash   text NOT NULL,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz NOT NULL,
        attempts    int NOT NULL DEFAULT 0,
        used_at     timestamptz
      )`);
    await q.query(
      `CREATE INDEX sms_codes_subject_idx ON sms_codes (account_id, purpose, subject, created_at DESC)`,
    );
    await q.query(`CREATE INDEX sms_codes_expires_idx ON sms_codes (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sms_codes`);
    await q.query(`ALTER TABLE accounts DROP COLUMN sms_mfa_enabled_at`);
    await q.query(`ALTER TABLE mfa_challenges DROP COLUMN user_agent`);
    await q.query(`DROP INDEX refresh_token_families_live_idx`);
    await q.query(`
      ALTER TABLE refresh_token_families
        DROP COLUMN second_factor_at, DROP COLUMN signed_in_with, DROP COLUMN device_id,
        DROP COLUMN device_name, DROP COLUMN ip, DROP COLUMN place, DROP COLUMN last_used_at`);
  }
}
