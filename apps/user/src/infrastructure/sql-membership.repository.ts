import { Money } from '@emporia/money';
import { anyOf, Sql } from '@emporia/persistence';
import type { EntityManager } from 'typeorm';
import type { MembershipRepository } from '../application/ports';
import { UserError } from '../domain/user-error';
import type { SpendRecord, TierDefinition } from '../domain/membership-tier';
import type { LedgerEntry, PointsAccount, PointsLot } from '../domain/points-ledger';

interface LotRow {
  id: string;
  source_ref: string;
  points: string;
  remaining: string;
  earned_at: Date;
  expires_at: Date;
}

interface TierRow {
  code: string;
  name: string;
  min_spend_minor: string;
  currency: string;
}
const toTier = (r: TierRow): TierDefinition => ({
  code: r.code,
  name: r.name,
  minSpend: Money.of(Number(r.min_spend_minor), r.currency.trim()),
});

/** A spend row as JSON (bigint and time as text). */
interface SpendJsonRow {
  ref: string;
  amount_minor: string;
  currency: string;
  at: string;
}
const toSpend = (r: SpendJsonRow): SpendRecord => ({
  ref: r.ref,
  amount: Money.of(Number(r.amount_minor), r.currency.trim()),
  at: new Date(r.at),
});

/** A points slice as JSON (bigints and times as text). */
interface PointsJson {
  entries: {
    type: LedgerEntry['type'];
    points: string;
    lot_id: string;
    ref: string;
    at: string;
    balance_after: string;
  }[];
  lots: (Omit<LotRow, 'earned_at' | 'expires_at'> & {
    earned_at: string;
    expires_at: string;
  })[];
}
const toPointsAccount = (r: PointsJson): PointsAccount => ({
  lots: r.lots.map((l): PointsLot => ({
    id: l.id,
    sourceRef: l.source_ref,
    points: Number(l.points),
    remaining: Number(l.remaining),
    earnedAt: new Date(l.earned_at),
    expiresAt: new Date(l.expires_at),
  })),
  entries: r.entries.map((e) => ({
    type: e.type,
    points: Number(e.points),
    lotId: e.lot_id,
    ref: e.ref,
    at: new Date(e.at),
    balanceAfter: Number(e.balance_after),
  })),
});

/**
 * The points slice of `loadPoints` for account $1 and `refs` as parameter $2: a CTE `e` and the
 * select-list items `entries` and `lots` (JSON, bigints as text, times as text), with the
 * parameter's value. One ref (a paid order's) is matched by its scalar form (persistence's
 * `anyOf`), so the statement keeps a cached generic plan instead of being planned at every call.
 */
const pointsSlice = (refs: string[]) => {
  const [byRef, param] = anyOf('ref', 2, 'text', refs);
  const [bySource] = anyOf('source_ref', 2, 'text', refs);
  return {
    cte: `e AS (
         SELECT id, type, points, lot_id, ref, at, balance_after FROM points_ledger
          WHERE account_id = $1 AND ${byRef})`,
    columns: `COALESCE((SELECT json_agg(json_build_object('type', type, 'points', points::text,
                                'lot_id', lot_id, 'ref', ref, 'at', at, 'balance_after', balance_after::text)
                              ORDER BY id) FROM e), '[]'::json) AS entries,
              COALESCE((SELECT json_agg(json_build_object('id', id, 'source_ref', source_ref,
                                'points', points::text, 'remaining', remaining::text,
                                'earned_at', earned_at, 'expires_at', expires_at)
                              ORDER BY earned_at, id)
                          FROM points_lots
                         WHERE account_id = $1
                           AND (remaining > 0 OR ${bySource} OR id IN (SELECT lot_id FROM e))),
                       '[]'::json) AS lots`,
    param,
  };
};
/**
 * The select-list items `tiers` (the whole table) and `spend` (of account $1 after the time in
 * parameter `from`), as JSON with bigints as text.
 */
const tiersAndSpendColumns = (from: string) =>
  `COALESCE((SELECT json_agg(json_build_object('code', code, 'name', name,
                                  'min_spend_minor', min_spend_minor::text, 'currency', currency)
                                ORDER BY min_spend_minor) FROM tiers), '[]'::json) AS tiers,
              COALESCE((SELECT json_agg(json_build_object('ref', ref, 'amount_minor', amount_minor::text,
                                  'currency', currency, 'at', at))
                          FROM member_spend WHERE account_id = $1 AND at > ${from}), '[]'::json) AS spend`;

/** Tiers, spend, membership and the points ledger of one account, inside the caller's transaction. */
export class SqlMembershipRepository implements MembershipRepository {
  private readonly sql: Sql;
  constructor(m: EntityManager) {
    this.sql = new Sql(m);
  }

  async tiers(): Promise<TierDefinition[]> {
    const rows = await this.sql.rows<TierRow>(
      `SELECT code, name, min_spend_minor, currency FROM tiers ORDER BY min_spend_minor`,
    );
    return rows.map(toTier);
  }

  async tiersAndSpendSince(
    accountId: string,
    from: Date,
  ): Promise<{ tiers: TierDefinition[]; spend: SpendRecord[] }> {
    // one round trip: both lists as JSON (bigints as text, so no precision is lost)
    const [r] = await this.sql.rows<{ tiers: TierRow[]; spend: SpendJsonRow[] }>(
      `SELECT ${tiersAndSpendColumns('$2')}`,
      [accountId, from],
    );
    return {
      tiers: r.tiers.map(toTier),
      spend: r.spend.map(toSpend),
    };
  }

  async pointsTiersAndSpendSince(
    accountId: string,
    refs: string[],
    from: Date,
  ): Promise<{ points: PointsAccount; tiers: TierDefinition[]; spend: SpendRecord[] }> {
    // one round trip: `loadPoints` and `tiersAndSpendSince` as one SELECT (one snapshot)
    const slice = pointsSlice(refs);
    const [r] = await this.sql.rows<PointsJson & { tiers: TierRow[]; spend: SpendJsonRow[] }>(
      `WITH ${slice.cte}
       SELECT ${slice.columns},
              ${tiersAndSpendColumns('$3')}`,
      [accountId, slice.param, from],
    );
    return {
      points: toPointsAccount(r),
      tiers: r.tiers.map(toTier),
      spend: r.spend.map(toSpend),
    };
  }

  async lockMembership(accountId: string, now: Date): Promise<string> {
    // one round trip: a new membership is inserted; an existing one is locked (the no-op update
    // takes the row lock and returns its latest committed tier, even one committed meanwhile)
    const [row] = await this.sql.rows<{ tier_code: string }>(
      `INSERT INTO memberships (account_id, tier_code, updated_at, tiers_version, evaluated_at)
       SELECT $1, (SELECT code FROM tiers ORDER BY min_spend_minor LIMIT 1), $2, (SELECT version FROM tier_settings), $2
       ON CONFLICT (account_id) DO UPDATE SET updated_at = memberships.updated_at
       RETURNING tier_code`,
      [accountId, now],
    );
    return row.tier_code;
  }

  async lockMembershipOfAccount(accountId: string, now: Date): Promise<string | null> {
    // one round trip: `lockMembership` for an account that exists (no row: none, nothing written).
    // Accounts are never deleted (erasure anonymises the row), so reading it in this statement
    // answers as the separate read before it did.
    const row = await this.sql.one<{ tier_code: string }>(
      `INSERT INTO memberships (account_id, tier_code, updated_at, tiers_version, evaluated_at)
       SELECT a.id, (SELECT code FROM tiers ORDER BY min_spend_minor LIMIT 1), $2, (SELECT version FROM tier_settings), $2
         FROM accounts a WHERE a.id = $1
       ON CONFLICT (account_id) DO UPDATE SET updated_at = memberships.updated_at
       RETURNING tier_code`,
      [accountId, now],
    );
    return row?.tier_code ?? null;
  }

  async setTier(accountId: string, code: string, now: Date): Promise<void> {
    await this.sql.runAtCommit(
      `UPDATE memberships SET tier_code = $2, updated_at = $3, evaluated_at = $3 WHERE account_id = $1`,
      [accountId, code, now],
    );
  }

  async addSpend(accountId: string, record: SpendRecord): Promise<void> {
    // held until the transaction's next statement or COMMIT (no round trip of its own); the
    // primary key (account_id, ref) with DO NOTHING keeps a repeated reference from counting twice
    await this.sql.runAtCommit(
      `INSERT INTO member_spend (account_id, ref, amount_minor, currency, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [accountId, record.ref, record.amount.amountMinor, record.amount.currency, record.at],
    );
  }

  /**
   * The slice of the ledger an operation on `refs` needs: every lot with points left, the lots
   * earned by or touched under `refs`, and the entries under `refs`.
   */
  async loadPoints(accountId: string, refs: string[]): Promise<PointsAccount> {
    // one round trip: the entries under `refs`, and the lots with points left, earned under
    // `refs` or touched by those entries; as JSON (bigints as text, times as text)
    const slice = pointsSlice(refs);
    const [r] = await this.sql.rows<PointsJson>(
      `WITH ${slice.cte}
       SELECT ${slice.columns}`,
      [accountId, slice.param],
    );
    return toPointsAccount(r);
  }

  /**
   * Writes the lots whose state changed and the new ledger entries, held until the transaction's
   * next statement or COMMIT (libs/persistence: no round trip of their own).
   */
  async savePoints(
    accountId: string,
    before: PointsAccount,
    after: PointsAccount,
    added: LedgerEntry[],
  ): Promise<void> {
    const old = new Map(before.lots.map((l) => [l.id, l]));
    for (const lot of after.lots) {
      const prev = old.get(lot.id);
      if (!prev) {
        await this.sql.runAtCommit(
          `INSERT INTO points_lots (id, account_id, source_ref, points, remaining, earned_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            lot.id,
            accountId,
            lot.sourceRef,
            lot.points,
            lot.remaining,
            lot.earnedAt,
            lot.expiresAt,
          ],
        );
      } else if (prev.remaining !== lot.remaining) {
        await this.sql.runAtCommit(`UPDATE points_lots SET remaining = $2 WHERE id = $1`, [
          lot.id,
          lot.remaining,
        ]);
      }
    }
    for (const e of added) {
      await this.sql.runAtCommit(
        `INSERT INTO points_ledger (account_id, type, points, lot_id, ref, at, balance_after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [accountId, e.type, e.points, e.lotId, e.ref, e.at, e.balanceAfter],
      );
    }
  }

  async accountsWithExpiredPoints(now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.rows<{
      account_id: string;
    }>(
      `SELECT DISTINCT account_id FROM points_lots WHERE remaining > 0 AND expires_at <= $1 LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.account_id);
  }

  async tierMembers(): Promise<Map<string, number>> {
    const rows = await this.sql.rows<{ tier_code: string; n: number }>(
      `SELECT tier_code, count(*)::int AS n FROM memberships GROUP BY tier_code`,
    );
    return new Map(rows.map((r) => [r.tier_code, r.n]));
  }

  async replaceTiers(tiers: TierDefinition[]): Promise<number> {
    await this.sql.run(`SELECT version FROM tier_settings FOR UPDATE`);
    const codes = tiers.map((t) => t.code);
    const inUse = await this.sql.rows<{ tier_code: string; n: number }>(
      `SELECT tier_code, count(*)::int AS n FROM memberships WHERE NOT (tier_code = ANY($1::text[])) GROUP BY tier_code`,
      [codes],
    );
    if (inUse.length > 0)
      throw new UserError(
        'FAILED_PRECONDITION',
        'TIER_IN_USE',
        `tier(s) ${inUse.map((r) => `${r.tier_code} (${r.n} members)`).join(', ')} still have members; keep the code and change its threshold or name instead`,
        { tiers: inUse.map((r) => r.tier_code) },
      );
    await this.sql.run(`DELETE FROM tiers WHERE NOT (code = ANY($1::text[]))`, [codes]);
    for (const t of tiers)
      await this.sql.run(
        `INSERT INTO tiers (code, name, min_spend_minor, currency) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, min_spend_minor = EXCLUDED.min_spend_minor, currency = EXCLUDED.currency`,
        [t.code, t.name, t.minSpend.amountMinor, t.minSpend.currency],
      );
    await this.sql.run(`UPDATE tier_settings SET version = version + 1`);
    const [r] = await this.sql.rows<{
      n: number;
    }>(`SELECT count(*)::int AS n FROM memberships`);
    return r.n;
  }

  async membershipsToReevaluate(limit: number, staleBefore: Date): Promise<string[]> {
    const rows = await this.sql.rows<{ account_id: string }>(
      `SELECT account_id FROM memberships
       WHERE tiers_version < (SELECT version FROM tier_settings) OR evaluated_at < $2
       ORDER BY evaluated_at LIMIT $1`,
      [limit, staleBefore],
    );
    return rows.map((r) => r.account_id);
  }

  async markEvaluated(accountId: string, now: Date): Promise<void> {
    await this.sql.runAtCommit(
      `UPDATE memberships SET tiers_version = (SELECT version FROM tier_settings), evaluated_at = $2 WHERE account_id = $1`,
      [accountId, now],
    );
  }
}
