import { Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type {
  MfaRepository,
  PrivacyRepository,
  ProfileRepository,
  SecretBox,
} from '../application/ports';
import type { MfaChallenge, MfaCredential } from '../domain/mfa';
import type { Address, Consent, ConsentPurpose, Profile } from '../domain/profile';
import { exportedPasskeys, PASSKEY_TABLES } from './sql-passkey.repository';
import { eraseSecurityData } from './sql-security.repositories';

/** MFA credentials (secret sealed at rest), recovery code hashes and login challenges. */
export class SqlMfaRepository implements MfaRepository {
  private readonly sql: Sql;
  constructor(
    m: EntityManager,
    private readonly box: SecretBox,
  ) {
    this.sql = new Sql(m);
  }

  async find(accountId: string): Promise<MfaCredential | null> {
    const [r] = await this.sql.rows<{
      account_id: string;
      status: MfaCredential['status'];
      secret_sealed: string;
      last_used_counter: string | null;
      created_at: Date;
      confirmed_at: Date | null;
    }>(`SELECT * FROM mfa_credentials WHERE account_id = $1`, [accountId]);
    if (!r) return null;
    return {
      accountId: r.account_id,
      status: r.status,
      secret: this.box.open(r.secret_sealed),
      lastUsedCounter: r.last_used_counter === null ? null : Number(r.last_used_counter),
      createdAt: r.created_at,
      confirmedAt: r.confirmed_at,
    };
  }

  async save(c: MfaCredential): Promise<void> {
    await this.sql.run(
      `INSERT INTO mfa_credentials (account_id, status, secret_sealed, last_used_counter, created_at, confirmed_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id) DO UPDATE SET status = EXCLUDED.status, secret_sealed = EXCLUDED.secret_sealed,
         last_used_counter = EXCLUDED.last_used_counter, created_at = EXCLUDED.created_at, confirmed_at = EXCLUDED.confirmed_at`,
      [
        c.accountId,
        c.status,
        this.box.seal(c.secret),
        c.lastUsedCounter,
        c.createdAt,
        c.confirmedAt,
      ],
    );
  }

  async remove(accountId: string): Promise<void> {
    await this.sql.run(`DELETE FROM mfa_recovery_codes WHERE account_id = $1`, [accountId]);
    await this.sql.run(`DELETE FROM mfa_credentials WHERE account_id = $1`, [accountId]);
  }

  async replaceRecoveryCodes(accountId: string, hashes: string[]): Promise<void> {
    await this.sql.run(`DELETE FROM mfa_recovery_codes WHERE account_id = $1`, [accountId]);
    await this.sql.run(
      `INSERT INTO mfa_recovery_codes (account_id, code_hash) SELECT $1, unnest($2::text[])`,
      [accountId, hashes],
    );
  }

  async useRecoveryCode(accountId: string, hash: string, now: Date): Promise<boolean> {
    const n = await this.sql.affected(
      `UPDATE mfa_recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [accountId, hash, now],
    );
    return n === 1;
  }

  async recoveryCodesLeft(accountId: string): Promise<number> {
    const [r] = await this.sql.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM mfa_recovery_codes WHERE account_id = $1 AND used_at IS NULL`,
      [accountId],
    );
    return r.n;
  }

  async insertChallenge(c: MfaChallenge, tokenHash: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO mfa_challenges (token_hash, id, account_id, throttle_key, device_id, ip, expires_at, attempts, used_at, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        tokenHash,
        c.id,
        c.accountId,
        c.throttleKey,
        c.deviceId,
        c.ip,
        c.expiresAt,
        c.attempts,
        c.usedAt,
        c.userAgent ?? '',
      ],
    );
    // Housekeeping: an account's finished challenges are of no further use.
    await this.sql.run(
      `DELETE FROM mfa_challenges WHERE account_id = $1 AND (expires_at < now() - interval '1 day' OR used_at IS NOT NULL)`,
      [c.accountId],
    );
  }

  async findChallengeForUpdate(tokenHash: string): Promise<MfaChallenge | null> {
    const [r] = await this.sql.rows<{
      id: string;
      account_id: string;
      throttle_key: string;
      device_id: string;
      ip: string;
      expires_at: Date;
      attempts: number;
      used_at: Date | null;
      user_agent: string;
    }>(`SELECT * FROM mfa_challenges WHERE token_hash = $1 FOR UPDATE`, [tokenHash]);
    return r
      ? {
          id: r.id,
          accountId: r.account_id,
          throttleKey: r.throttle_key,
          deviceId: r.device_id,
          ip: r.ip,
          expiresAt: r.expires_at,
          attempts: r.attempts,
          usedAt: r.used_at,
          userAgent: r.user_agent,
        }
      : null;
  }

  async saveChallenge(c: MfaChallenge): Promise<void> {
    await this.sql.run(`UPDATE mfa_challenges SET attempts = $2, used_at = $3 WHERE id = $1`, [
      c.id,
      c.attempts,
      c.usedAt,
    ]);
  }
}

interface AddressRow {
  id: string;
  account_id: string;
  recipient: string;
  phone: string;
  country: string;
  province: string;
  city: string;
  district: string;
  line1: string;
  line2: string;
  postal_code: string;
  province_code: string;
  city_code: string;
  district_code: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const toAddress = (r: AddressRow): Address => ({
  id: r.id,
  accountId: r.account_id,
  recipient: r.recipient,
  phone: r.phone,
  country: r.country,
  province: r.province,
  city: r.city,
  district: r.district,
  line1: r.line1,
  line2: r.line2,
  postalCode: r.postal_code,
  provinceCode: r.province_code,
  cityCode: r.city_code,
  districtCode: r.district_code,
  isDefault: r.is_default,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Profile, consents and addresses; every query is scoped by the account id. */
export class SqlProfileRepository implements ProfileRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async profile(accountId: string): Promise<Profile | null> {
    const [r] = await this.sql.rows<{
      display_name: string;
      birthday: string | null;
      avatar_url: string | null;
      locale: string | null;
    }>(
      `SELECT display_name, to_char(birthday, 'YYYY-MM-DD') AS birthday, avatar_url, locale FROM profiles WHERE account_id = $1`,
      [accountId],
    );
    return r
      ? {
          displayName: r.display_name,
          birthday: r.birthday,
          avatarUrl: r.avatar_url,
          locale: r.locale,
        }
      : null;
  }

  async saveProfile(accountId: string, p: Profile, now: Date): Promise<void> {
    await this.sql.run(
      `INSERT INTO profiles (account_id, display_name, birthday, avatar_url, locale, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id) DO UPDATE SET display_name = EXCLUDED.display_name, birthday = EXCLUDED.birthday,
         avatar_url = EXCLUDED.avatar_url, locale = EXCLUDED.locale, updated_at = EXCLUDED.updated_at`,
      [accountId, p.displayName, p.birthday, p.avatarUrl, p.locale, now],
    );
  }

  async consents(accountId: string): Promise<Consent[]> {
    const rows = await this.sql.rows<{
      purpose: ConsentPurpose;
      granted: boolean;
      updated_at: Date;
    }>(`SELECT purpose, granted, updated_at FROM consents WHERE account_id = $1`, [accountId]);
    return rows.map((r) => ({ purpose: r.purpose, granted: r.granted, updatedAt: r.updated_at }));
  }

  async saveConsents(
    accountId: string,
    changes: { purpose: ConsentPurpose; granted: boolean }[],
    now: Date,
  ): Promise<void> {
    for (const c of changes) {
      await this.sql.run(
        `INSERT INTO consents (account_id, purpose, granted, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, purpose) DO UPDATE SET granted = EXCLUDED.granted, updated_at = EXCLUDED.updated_at
         WHERE consents.granted IS DISTINCT FROM EXCLUDED.granted`,
        [accountId, c.purpose, c.granted, now],
      );
    }
  }

  async addresses(accountId: string): Promise<Address[]> {
    const rows = await this.sql.rows<AddressRow>(
      `SELECT * FROM addresses WHERE account_id = $1 ORDER BY is_default DESC, updated_at DESC, id DESC`,
      [accountId],
    );
    return rows.map(toAddress);
  }

  async insertAddress(a: Address): Promise<void> {
    await this.sql.run(
      `INSERT INTO addresses (id, account_id, recipient, phone, country, province, city, district, line1, line2, postal_code, is_default, created_at, updated_at, province_code, city_code, district_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        a.id,
        a.accountId,
        a.recipient,
        a.phone,
        a.country,
        a.province,
        a.city,
        a.district,
        a.line1,
        a.line2,
        a.postalCode,
        a.isDefault,
        a.createdAt,
        a.updatedAt,
        a.provinceCode,
        a.cityCode,
        a.districtCode,
      ],
    );
  }

  async updateAddress(a: Address): Promise<void> {
    await this.sql.run(
      `UPDATE addresses SET recipient = $3, phone = $4, country = $5, province = $6, city = $7, district = $8,
         line1 = $9, line2 = $10, postal_code = $11, updated_at = $12,
         province_code = $13, city_code = $14, district_code = $15
       WHERE id = $1 AND account_id = $2`,
      [
        a.id,
        a.accountId,
        a.recipient,
        a.phone,
        a.country,
        a.province,
        a.city,
        a.district,
        a.line1,
        a.line2,
        a.postalCode,
        a.updatedAt,
        a.provinceCode,
        a.cityCode,
        a.districtCode,
      ],
    );
  }

  async deleteAddress(accountId: string, id: string): Promise<boolean> {
    const n = await this.sql.affected(`DELETE FROM addresses WHERE id = $1 AND account_id = $2`, [
      id,
      accountId,
    ]);
    return n === 1;
  }

  async setDefaultAddress(accountId: string, id: string | null): Promise<void> {
    await this.sql.run(
      `UPDATE addresses SET is_default = false WHERE account_id = $1 AND is_default`,
      [accountId],
    );
    if (id)
      await this.sql.run(
        `UPDATE addresses SET is_default = true WHERE account_id = $1 AND id = $2`,
        [accountId, id],
      );
  }
}

/** The tables holding personal data, for export and erasure. */
export class SqlPrivacyRepository implements PrivacyRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  /**
   * Export rows are written out as JSON column by column, never read field by field, so their
   * row type is any object of columns.
   */
  private rows(sql: string, accountId: string): Promise<Record<string, unknown>[]> {
    return this.sql.rows<Record<string, unknown>>(sql, [accountId]);
  }

  async exportData(accountId: string): Promise<Record<string, unknown>> {
    const [profile] = await this.rows(
      `SELECT display_name, to_char(birthday, 'YYYY-MM-DD') AS birthday, avatar_url, locale, updated_at FROM profiles WHERE account_id = $1`,
      accountId,
    );
    const [membership] = await this.rows(
      `SELECT m.tier_code, t.name AS tier_name, m.updated_at FROM memberships m JOIN tiers t ON t.code = m.tier_code WHERE m.account_id = $1`,
      accountId,
    );
    const [mfa] = await this.rows(
      `SELECT status, created_at, confirmed_at FROM mfa_credentials WHERE account_id = $1`,
      accountId,
    );
    return {
      profile: profile ?? null,
      consents: await this.rows(
        `SELECT purpose, granted, updated_at FROM consents WHERE account_id = $1 ORDER BY purpose`,
        accountId,
      ),
      addresses: await this.rows(
        `SELECT id, recipient, phone, country, province, city, district, line1, line2, postal_code,
           province_code, city_code, district_code, is_default, created_at, updated_at
         FROM addresses WHERE account_id = $1 ORDER BY created_at`,
        accountId,
      ),
      membership: membership ?? null,
      spend: await this.rows(
        `SELECT ref, amount_minor::text AS amount_minor, currency, at FROM member_spend WHERE account_id = $1 ORDER BY at`,
        accountId,
      ),
      pointsLedger: await this.rows(
        `SELECT type, points::text AS points, ref, at, balance_after::text AS balance_after FROM points_ledger WHERE account_id = $1 ORDER BY at, id`,
        accountId,
      ),
      knownLogins: await this.rows(
        `SELECT kind, value, first_seen, last_seen FROM known_logins WHERE account_id = $1 ORDER BY first_seen`,
        accountId,
      ),
      sessions: await this.rows(
        `SELECT id, created_at, expires_at, revoked_at, revoked_reason, last_used_at, signed_in_with,
           second_factor_at, device_id, device_name, ip, place
         FROM refresh_token_families WHERE account_id = $1 ORDER BY created_at`,
        accountId,
      ),
      mfa: mfa ?? null,
      passkeys: await exportedPasskeys(this.sql, accountId),
    };
  }

  async erasePersonalData(accountId: string): Promise<void> {
    for (const table of [
      ...PASSKEY_TABLES,
      'profiles',
      'consents',
      'addresses',
      'known_logins',
      'mfa_challenges',
      'mfa_recovery_codes',
      'mfa_credentials',
    ])
      await this.sql.run(`DELETE FROM ${table} WHERE account_id = $1`, [accountId]);
    await eraseSecurityData(this.sql, accountId);
  }
}
