import type { EntityManager } from 'typeorm';
import { isUniqueViolation, qualified, Sql, type SqlRunner } from '@emporia/persistence';
import type {
  AccountRepository,
  KnownLoginRepository,
  LoginCandidate,
  LoginRepository,
  RefreshFamilyRepository,
} from '../application/ports';
import type { Account, Role } from '../domain/account';
import type { RefreshTokenFamily, SignInMethod } from '../domain/refresh-token-family';
import { UserError } from '../domain/user-error';

interface AccountRow {
  id: string;
  email: string | null;
  phone: string | null;
  password_hash: string;
  roles: Role[];
  status: Account['status'];
  created_at: Date;
}

/**
 * The account's columns, named: statements are prepared (`@emporia/persistence`, "Prepared
 * statements") only when their columns are spelt out, as a prepared `SELECT *` would fail once
 * a migration adds a column ("cached plan must not change result type").
 */
const ACCOUNT_COLUMNS = 'id, email, phone, password_hash, roles, status, created_at';
/** The same, of `accounts a` in a join. */
const A_ACCOUNT_COLUMNS = qualified('a', ACCOUNT_COLUMNS);

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  email: r.email,
  phone: r.phone,
  passwordHash: r.password_hash,
  roles: r.roles,
  status: r.status,
  createdAt: r.created_at,
});

/** Accounts with plain SQL: partial unique indexes and arrays map more clearly than entities. */
export class SqlAccountRepository implements AccountRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  private async one(where: string, value: string): Promise<Account | null> {
    const r = await this.sql.one<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${where} = $1`,
      [value],
    );
    return r ? toAccount(r) : null;
  }

  findById(id: string) {
    return this.one('id', id);
  }

  findByEmail(email: string) {
    return this.one('email', email);
  }

  findByPhone(phone: string) {
    return this.one('phone', phone);
  }

  async setStatus(id: string, status: Account['status'], reason: string | null): Promise<void> {
    await this.sql.run(`UPDATE accounts SET status = $2, frozen_reason = $3 WHERE id = $1`, [
      id,
      status,
      reason,
    ]);
  }

  async lock(id: string): Promise<Account | null> {
    const r = await this.sql.one<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return r ? toAccount(r) : null;
  }

  async setRoles(id: string, roles: Role[]): Promise<void> {
    await this.sql.run(`UPDATE accounts SET roles = $2 WHERE id = $1`, [id, roles]);
  }

  async saveErased(a: Account, at: Date): Promise<void> {
    await this.sql.run(
      `UPDATE accounts SET email = $2, phone = $3, password_hash = $4, status = $5, frozen_reason = NULL, deleted_at = $6 WHERE id = $1`,
      [a.id, a.email, a.phone, a.passwordHash, a.status, at],
    );
  }

  async insert(a: Account): Promise<void> {
    try {
      await this.sql.run(
        `INSERT INTO accounts (id, email, phone, password_hash, roles, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [a.id, a.email, a.phone, a.passwordHash, a.roles, a.status, a.createdAt],
      );
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new UserError(
          'ALREADY_EXISTS',
          'ACCOUNT_EXISTS',
          'an account with this e-mail or phone already exists',
        );
      }
      throw e;
    }
  }
}

interface FamilyRow {
  id: string;
  account_id: string;
  current_token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: RefreshTokenFamily['revokedReason'];
  created_at: Date;
  last_used_at: Date | null;
  signed_in_with: SignInMethod;
  second_factor_at: Date | null;
  device_id: string;
  device_name: string;
  ip: string;
  place: string;
}

const FAMILY_COLUMNS = `f.id, f.account_id, f.current_token_hash, f.expires_at, f.revoked_at,
  f.revoked_reason, f.created_at, f.last_used_at, f.signed_in_with, f.second_factor_at,
  f.device_id, f.device_name, f.ip, f.place`;

const toFamily = (r: FamilyRow, retiredTokenIds: string[] = []): RefreshTokenFamily => ({
  id: r.id,
  userId: r.account_id,
  currentTokenId: r.current_token_hash,
  retiredTokenIds,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at ?? r.created_at,
  signedInWith: r.signed_in_with,
  secondFactorAt: r.second_factor_at,
  client: { deviceId: r.device_id, deviceName: r.device_name, ip: r.ip, place: r.place },
});

/** Session ids are uuids: anything else names no session (and would fail the cast). */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class SqlKnownLoginRepository implements KnownLoginRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  /**
   * One statement: the account's known devices and addresses as they were before this sign-in
   * (a data-modifying CTE's SELECT sees the snapshot from before its INSERT), and the upsert of
   * this sign-in's address and device.
   */
  async record(accountId: string, deviceId: string, ip: string, now: Date) {
    const rows = await this.sql.rows<{ kind: string; value: string }>(
      `WITH seen AS (SELECT kind, value FROM known_logins WHERE account_id = $1),
            upsert AS (
              INSERT INTO known_logins (account_id, kind, value, first_seen, last_seen)
              SELECT $1, v.kind, v.value, $4, $4
                FROM (VALUES ('IP', $2::text), ('DEVICE', $3::text)) AS v (kind, value)
               WHERE v.value <> '' OR v.kind = 'IP'
              ON CONFLICT (account_id, kind, value) DO UPDATE SET last_seen = EXCLUDED.last_seen)
       SELECT kind, value FROM seen`,
      [accountId, ip, deviceId, now],
    );
    return {
      anyBefore: rows.length > 0,
      deviceKnown: rows.some((r) => r.kind === 'DEVICE' && r.value === deviceId),
      ipKnown: rows.some((r) => r.kind === 'IP' && r.value === ip),
    };
  }
}

/**
 * A sign-in's two statements. Before the password check, one read: the account, whether MFA is
 * on, and whether this address and device are known to it. After it, for a known client, one
 * statement in place of a transaction of five round trips (BEGIN, lock, MFA, known logins, the
 * family; COMMIT): its CTEs lock the account row (a concurrent freeze, erasure or role change
 * that commits first is what `acct` returns), and write only when the locked row is ACTIVE and
 * asks no second factor (TOTP or SMS codes on), so a sign-in the domain would refuse writes
 * nothing; the caller then takes the general path, which says why.
 */
export class SqlLoginRepository implements LoginRepository {
  private readonly sql: Sql;
  constructor(m: SqlRunner) {
    this.sql = new Sql(m);
  }

  async findCandidate(
    id: { email: string } | { phone: string },
    client: { deviceId: string; ip: string },
  ): Promise<LoginCandidate | null> {
    const r = await this.sql.one<AccountRow & { known_client: boolean; mfa_active: boolean }>(
      `SELECT ${A_ACCOUNT_COLUMNS},
              EXISTS (SELECT 1 FROM known_logins k
                       WHERE k.account_id = a.id AND k.kind = 'IP' AND k.value = $2)
              AND ($3 = '' OR EXISTS (SELECT 1 FROM known_logins k
                       WHERE k.account_id = a.id AND k.kind = 'DEVICE' AND k.value = $3))
                AS known_client,
              a.sms_mfa_enabled_at IS NOT NULL AND a.phone IS NOT NULL
              OR EXISTS (SELECT 1 FROM mfa_credentials m
                       WHERE m.account_id = a.id AND m.status = 'ACTIVE') AS mfa_active
         FROM accounts a WHERE a.${'email' in id ? 'email' : 'phone'} = $1`,
      ['email' in id ? id.email : id.phone, client.ip, client.deviceId],
    );
    return r
      ? { account: toAccount(r), knownClient: r.known_client, mfaActive: r.mfa_active }
      : null;
  }

  async openKnownSession(
    f: RefreshTokenFamily,
    client: { deviceId: string; ip: string },
    now: Date,
  ): Promise<{ account: Account | null; opened: boolean }> {
    const r = await this.sql.one<AccountRow & { opened: boolean }>(
      `WITH acct AS (
         SELECT ${A_ACCOUNT_COLUMNS}, m.status AS mfa_status,
                a.sms_mfa_enabled_at IS NOT NULL AND a.phone IS NOT NULL AS sms_mfa
           FROM accounts a LEFT JOIN mfa_credentials m ON m.account_id = a.id
          WHERE a.id = $1 FOR UPDATE OF a),
       go AS (
         SELECT id FROM acct
          WHERE status = 'ACTIVE' AND mfa_status IS DISTINCT FROM 'ACTIVE' AND NOT sms_mfa),
       seen AS (
         INSERT INTO known_logins (account_id, kind, value, first_seen, last_seen)
         SELECT go.id, v.kind, v.value, $5, $5
           FROM go, (VALUES ('IP', $6::text), ('DEVICE', $7::text)) AS v (kind, value)
          WHERE v.value <> '' OR v.kind = 'IP'
         ON CONFLICT (account_id, kind, value) DO UPDATE SET last_seen = EXCLUDED.last_seen),
       family AS (
         INSERT INTO refresh_token_families (id, account_id, current_token_hash, expires_at,
           created_at, last_used_at, signed_in_with, second_factor_at, device_id, device_name,
           ip, place)
         SELECT $2, go.id, $3, $4, $5, $5, $8, $9, $7, $10, $6, $11 FROM go RETURNING id),
       token AS (
         INSERT INTO refresh_tokens (token_hash, family_id) SELECT $3, id FROM family)
       SELECT id, email, phone, password_hash, roles, status, created_at,
              EXISTS (SELECT 1 FROM family) AS opened
         FROM acct`,
      [
        f.userId,
        f.id,
        f.currentTokenId,
        f.expiresAt,
        now,
        client.ip,
        client.deviceId,
        f.signedInWith,
        f.secondFactorAt,
        f.client.deviceName,
        f.client.place,
      ],
    );
    return r ? { account: toAccount(r), opened: r.opened } : { account: null, opened: false };
  }
}

export class SqlRefreshFamilyRepository implements RefreshFamilyRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async insert(f: RefreshTokenFamily): Promise<void> {
    // One statement for the family and its first token (the foreign key is checked at its end).
    await this.sql.run(
      `WITH family AS (
         INSERT INTO refresh_token_families (id, account_id, current_token_hash, expires_at,
           created_at, last_used_at, signed_in_with, second_factor_at, device_id, device_name,
           ip, place)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id)
       INSERT INTO refresh_tokens (token_hash, family_id) SELECT $3, id FROM family`,
      [
        f.id,
        f.userId,
        f.currentTokenId,
        f.expiresAt,
        f.createdAt,
        f.lastUsedAt,
        f.signedInWith,
        f.secondFactorAt,
        f.client.deviceId,
        f.client.deviceName,
        f.client.ip,
        f.client.place,
      ],
    );
  }

  async findByTokenForUpdate(tokenHash: string): Promise<RefreshTokenFamily | null> {
    const r = await this.sql.one<FamilyRow>(
      `SELECT ${FAMILY_COLUMNS} FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id WHERE t.token_hash = $1 FOR UPDATE OF f`,
      [tokenHash],
    );
    if (!r) return null;
    return toFamily(r, r.current_token_hash === tokenHash ? [] : [tokenHash]);
  }

  async findById(id: string, forUpdate = false): Promise<RefreshTokenFamily | null> {
    if (!UUID_RE.test(id)) return null;
    const r = await this.sql.one<FamilyRow>(
      `SELECT ${FAMILY_COLUMNS} FROM refresh_token_families f WHERE f.id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r ? toFamily(r) : null;
  }

  async listLive(accountId: string, now: Date): Promise<RefreshTokenFamily[]> {
    const rows = await this.sql.rows<FamilyRow>(
      `SELECT ${FAMILY_COLUMNS} FROM refresh_token_families f
        WHERE f.account_id = $1 AND f.revoked_at IS NULL AND f.expires_at > $2
        ORDER BY COALESCE(f.last_used_at, f.created_at) DESC, f.id DESC`,
      [accountId, now],
    );
    return rows.map((r) => toFamily(r));
  }

  async save(f: RefreshTokenFamily, issuedTokenHash?: string): Promise<void> {
    await this.sql.run(
      `UPDATE refresh_token_families
          SET current_token_hash = $2, revoked_at = $3, revoked_reason = $4, last_used_at = $5,
              second_factor_at = $6, device_name = $7, ip = $8, place = $9
        WHERE id = $1`,
      [
        f.id,
        f.currentTokenId,
        f.revokedAt,
        f.revokedReason,
        f.lastUsedAt,
        f.secondFactorAt,
        f.client.deviceName,
        f.client.ip,
        f.client.place,
      ],
    );
    if (issuedTokenHash)
      await this.sql.run(`INSERT INTO refresh_tokens (token_hash, family_id) VALUES ($1, $2)`, [
        issuedTokenHash,
        f.id,
      ]);
  }

  async revokeAll(
    accountId: string,
    reason: NonNullable<RefreshTokenFamily['revokedReason']>,
    now: Date,
  ): Promise<number> {
    const rows = await this.sql.rows<{ id: string }>(
      `UPDATE refresh_token_families SET revoked_at = $2, revoked_reason = $3 WHERE account_id = $1 AND revoked_at IS NULL RETURNING id`,
      [accountId, now, reason],
    );
    return rows.length;
  }
}
