import type { EntityManager } from 'typeorm';
import { isUniqueViolation, Sql } from '@emporia/persistence';
import type {
  AccountSecurityRepository,
  KnownDevice,
  SmsCodeRepository,
} from '../application/security.ports';
import type { SmsCode, SmsCodePurpose } from '../domain/sms-code';
import { UserError } from '../domain/user-error';

const taken = (what: 'EMAIL' | 'PHONE') =>
  new UserError(
    'ALREADY_EXISTS',
    `${what}_TAKEN`,
    `another account has this ${what === 'EMAIL' ? 'e-mail address' : 'phone number'}`,
  );

/** SMS MFA, identifiers and the password of an account; its devices (known_logins). */
export class SqlAccountSecurityRepository implements AccountSecurityRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async smsMfaEnabledAt(accountId: string): Promise<Date | null> {
    const r = await this.sql.one<{ at: Date | null }>(
      `SELECT sms_mfa_enabled_at AS at FROM accounts WHERE id = $1`,
      [accountId],
    );
    return r?.at ?? null;
  }

  async setSmsMfa(accountId: string, enabledAt: Date | null): Promise<void> {
    await this.sql.run(`UPDATE accounts SET sms_mfa_enabled_at = $2 WHERE id = $1`, [
      accountId,
      enabledAt,
    ]);
  }

  async setPasswordHash(accountId: string, passwordHash: string): Promise<void> {
    await this.sql.run(`UPDATE accounts SET password_hash = $2 WHERE id = $1`, [
      accountId,
      passwordHash,
    ]);
  }

  private async setIdentifier(column: 'email' | 'phone', accountId: string, value: string) {
    try {
      await this.sql.run(`UPDATE accounts SET ${column} = $2 WHERE id = $1`, [accountId, value]);
    } catch (e) {
      if (isUniqueViolation(e)) throw taken(column === 'email' ? 'EMAIL' : 'PHONE');
      throw e;
    }
  }

  setEmail(accountId: string, email: string): Promise<void> {
    return this.setIdentifier('email', accountId, email);
  }

  setPhone(accountId: string, phone: string): Promise<void> {
    return this.setIdentifier('phone', accountId, phone);
  }

  async devices(accountId: string, now: Date): Promise<KnownDevice[]> {
    const rows = await this.sql.rows<{
      device_id: string;
      first_seen: Date;
      last_seen: Date;
      name: string;
      last_place: string;
      active_sessions: number;
    }>(
      `SELECT k.value AS device_id, k.first_seen, k.last_seen,
              COALESCE(latest.device_name, '') AS name, COALESCE(latest.place, '') AS last_place,
              (SELECT count(*)::int FROM refresh_token_families f
                WHERE f.account_id = k.account_id AND f.device_id = k.value
                  AND f.revoked_at IS NULL AND f.expires_at > $2) AS active_sessions
         FROM known_logins k
         LEFT JOIN LATERAL (
           SELECT f.device_name, f.place FROM refresh_token_families f
            WHERE f.account_id = k.account_id AND f.device_id = k.value
            ORDER BY COALESCE(f.last_used_at, f.created_at) DESC LIMIT 1) latest ON true
        WHERE k.account_id = $1 AND k.kind = 'DEVICE'
        ORDER BY k.last_seen DESC, k.value`,
      [accountId, now],
    );
    return rows.map((r) => ({
      deviceId: r.device_id,
      name: r.name,
      firstSeenAt: r.first_seen,
      lastSeenAt: r.last_seen,
      lastPlace: r.last_place,
      activeSessions: r.active_sessions,
    }));
  }

  async forgetDevice(accountId: string, deviceId: string): Promise<boolean> {
    const n = await this.sql.affected(
      `DELETE FROM known_logins WHERE account_id = $1 AND kind = 'DEVICE' AND value = $2`,
      [accountId, deviceId],
    );
    return n > 0;
  }
}

interface CodeRow {
  id: string;
  account_id: string;
  purpose: SmsCodePurpose;
  subject: string;
  phone: string;
  code_hash: string;
  created_at: Date;
  expires_at: Date;
  attempts: number;
  used_at: Date | null;
}

const toCode = (r: CodeRow): SmsCode => ({
  id: r.id,
  accountId: r.account_id,
  purpose: r.purpose,
  subject: r.subject,
  phone: r.phone,
  codeHash: r.code_hash,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  attempts: r.attempts,
  usedAt: r.used_at,
});

/** SMS one-time codes (hashed), in the transaction of what they prove. */
export class SqlSmsCodeRepository implements SmsCodeRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async insert(c: SmsCode): Promise<void> {
    await this.sql.run(
      `INSERT INTO sms_codes (id, account_id, purpose, subject, phone, code_hash, created_at, expires_at, attempts, used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        c.id,
        c.accountId,
        c.purpose,
        c.subject,
        c.phone,
        c.codeHash,
        c.createdAt,
        c.expiresAt,
        c.attempts,
        c.usedAt,
      ],
    );
  }

  async latestForUpdate(
    accountId: string,
    purpose: SmsCodePurpose,
    subject: string,
  ): Promise<SmsCode | null> {
    const r = await this.sql.one<CodeRow>(
      `SELECT * FROM sms_codes WHERE account_id = $1 AND purpose = $2 AND subject = $3
        ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`,
      [accountId, purpose, subject],
    );
    return r ? toCode(r) : null;
  }

  async save(c: SmsCode): Promise<void> {
    await this.sql.run(`UPDATE sms_codes SET attempts = $2, used_at = $3 WHERE id = $1`, [
      c.id,
      c.attempts,
      c.usedAt,
    ]);
  }

  async delete(id: string): Promise<void> {
    await this.sql.run(`DELETE FROM sms_codes WHERE id = $1`, [id]);
  }

  async deleteExpired(before: Date, limit: number): Promise<number> {
    return this.sql.affected(
      `DELETE FROM sms_codes WHERE id IN (
         SELECT id FROM sms_codes WHERE expires_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, limit],
    );
  }
}

/**
 * Erasure of what issue 23 keeps: SMS codes go, SMS MFA goes off, sessions keep their rows (their
 * revocations) without the client's device, name, address or place.
 */
export async function eraseSecurityData(sql: Sql, accountId: string): Promise<void> {
  await sql.run(`DELETE FROM sms_codes WHERE account_id = $1`, [accountId]);
  await sql.run(
    `UPDATE refresh_token_families SET device_id = '', device_name = '', ip = '', place = ''
      WHERE account_id = $1`,
    [accountId],
  );
  await sql.run(`UPDATE accounts SET sms_mfa_enabled_at = NULL WHERE id = $1`, [accountId]);
}
