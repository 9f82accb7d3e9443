import { Sql, type SqlRunner } from '@emporia/persistence';
import type { PasskeyRepository } from '../application/passkey.ports';
import type {
  Passkey,
  PasskeyCeremony,
  PasskeyChallenge,
  PasskeyDeviceType,
} from '../domain/passkey';

interface PasskeyRow {
  id: string;
  account_id: string;
  public_key: Buffer;
  counter: string;
  transports: string[];
  backed_up: boolean;
  device_type: PasskeyDeviceType;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

interface ChallengeRow {
  id: string;
  ceremony: PasskeyCeremony;
  account_id: string | null;
  session_id: string | null;
  mfa_challenge_id: string | null;
  expires_at: Date;
  used_at: Date | null;
}

const COLUMNS = `id, account_id, public_key, counter::text AS counter, transports, backed_up,
  device_type, name, created_at, last_used_at`;

const toPasskey = (r: PasskeyRow): Passkey => ({
  id: r.id,
  accountId: r.account_id,
  publicKey: new Uint8Array(r.public_key),
  counter: Number(r.counter),
  transports: r.transports,
  backedUp: r.backed_up,
  deviceType: r.device_type,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

/** A credential id is base64url: anything else cannot be one (and is never sent to Postgres). */
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1400}$/;

/** Passkeys and their ceremonies' challenges (migration 1764000000900). */
export class SqlPasskeyRepository implements PasskeyRepository {
  private readonly sql: Sql;

  constructor(runner: SqlRunner) {
    this.sql = new Sql(runner);
  }

  async list(accountId: string): Promise<Passkey[]> {
    const rows = await this.sql.rows<PasskeyRow>(
      `SELECT ${COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY created_at DESC, id`,
      [accountId],
    );
    return rows.map(toPasskey);
  }

  async count(accountId: string): Promise<number> {
    const r = await this.sql.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM passkeys WHERE account_id = $1`,
      [accountId],
    );
    return r?.n ?? 0;
  }

  async find(id: string, forUpdate = false): Promise<Passkey | null> {
    if (!CREDENTIAL_ID.test(id)) return null;
    const r = await this.sql.one<PasskeyRow>(
      `SELECT ${COLUMNS} FROM passkeys WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r ? toPasskey(r) : null;
  }

  async insert(p: Passkey): Promise<boolean> {
    const stored = await this.sql.rows<{ id: string }>(
      `INSERT INTO passkeys (id, account_id, public_key, counter, transports, backed_up, device_type,
         name, created_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        p.id,
        p.accountId,
        Buffer.from(p.publicKey),
        p.counter,
        p.transports,
        p.backedUp,
        p.deviceType,
        p.name,
        p.createdAt,
        p.lastUsedAt,
      ],
    );
    return stored.length === 1;
  }

  async rename(accountId: string, id: string, name: string): Promise<Passkey | null> {
    if (!CREDENTIAL_ID.test(id)) return null;
    const r = await this.sql.one<PasskeyRow>(
      `UPDATE passkeys SET name = $3 WHERE account_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [accountId, id, name],
    );
    return r ? toPasskey(r) : null;
  }

  async remove(accountId: string, id: string): Promise<boolean> {
    if (!CREDENTIAL_ID.test(id)) return false;
    const gone = await this.sql.rows<{ id: string }>(
      `DELETE FROM passkeys WHERE account_id = $1 AND id = $2 RETURNING id`,
      [accountId, id],
    );
    return gone.length === 1;
  }

  async recordUse(id: string, counter: number, backedUp: boolean, at: Date): Promise<void> {
    await this.sql.run(
      `UPDATE passkeys SET counter = $2, backed_up = $3, last_used_at = $4 WHERE id = $1`,
      [id, counter, backedUp, at],
    );
  }

  async insertChallenge(c: PasskeyChallenge, challengeHash: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO passkey_challenges (challenge_hash, id, ceremony, account_id, session_id,
         mfa_challenge_id, expires_at, used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        challengeHash,
        c.id,
        c.ceremony,
        c.accountId,
        c.sessionId,
        c.mfaChallengeId,
        c.expiresAt,
        c.usedAt,
      ],
    );
  }

  async findChallengeForUpdate(challengeHash: string): Promise<PasskeyChallenge | null> {
    const r = await this.sql.one<ChallengeRow>(
      `SELECT id, ceremony, account_id, session_id, mfa_challenge_id, expires_at, used_at
       FROM passkey_challenges WHERE challenge_hash = $1 FOR UPDATE`,
      [challengeHash],
    );
    return r
      ? {
          id: r.id,
          ceremony: r.ceremony,
          accountId: r.account_id,
          sessionId: r.session_id,
          mfaChallengeId: r.mfa_challenge_id,
          expiresAt: r.expires_at,
          usedAt: r.used_at,
        }
      : null;
  }

  async useChallenge(id: string, at: Date): Promise<void> {
    await this.sql.run(`UPDATE passkey_challenges SET used_at = $2 WHERE id = $1`, [id, at]);
  }

  async deleteExpiredChallenges(before: Date, limit: number): Promise<number> {
    return this.sql.affected(
      `DELETE FROM passkey_challenges WHERE challenge_hash IN (
         SELECT challenge_hash FROM passkey_challenges WHERE expires_at < $1
         ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, limit],
    );
  }
}

/** The account's passkeys as the data export shows them (never the public key). */
export function exportedPasskeys(sql: Sql, accountId: string): Promise<object[]> {
  return sql.rows<object>(
    `SELECT name, created_at, last_used_at, backed_up, transports FROM passkeys
     WHERE account_id = $1 ORDER BY created_at`,
    [accountId],
  );
}

/** What erasure deletes of passkeys, in order (challenges first: they name the account). */
export const PASSKEY_TABLES = ['passkey_challenges', 'passkeys'] as const;
