import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type { ReturnFactStore } from '../application/ports';
import type { ReturnFact, ReturnStats } from '../domain/return-facts';

export interface StatsRow {
  window_seconds: number;
  delivered_lines: number;
  returned_lines: number;
  exchanges: number;
  refunds_without_return: number;
  items_mismatches: number;
  cancellations: number;
}

/**
 * The account's history over each window, one row per window: `$1` the account, `$2` the windows
 * (seconds), `$3` now. `more` adds columns to every row (`SqlOrderLookups`: the list hits, from
 * `$4` on). Each window is a range scan of the account's rows on the (account_id, occurred_at)
 * index.
 */
export const returnStatsSql = (more = ''): string =>
  `SELECT w.seconds AS window_seconds,
              COALESCE(sum(f.lines) FILTER (WHERE f.kind = 'DELIVERED'), 0)::int AS delivered_lines,
              COALESCE(sum(f.lines) FILTER (WHERE f.kind = 'RETURNED'), 0)::int AS returned_lines,
              count(*) FILTER (WHERE f.kind = 'EXCHANGE')::int AS exchanges,
              count(*) FILTER (WHERE f.kind = 'REFUND_ONLY')::int AS refunds_without_return,
              count(*) FILTER (WHERE f.kind = 'ITEMS_MISMATCH')::int AS items_mismatches,
              count(*) FILTER (WHERE f.kind = 'CANCELLED')::int AS cancellations${more}
         FROM unnest($2::int[]) AS w(seconds)
         LEFT JOIN account_return_facts f
           ON f.account_id = $1
          AND f.occurred_at >= $3::timestamptz - make_interval(secs => w.seconds)
        GROUP BY w.seconds`;

/** The rows of `returnStatsSql` by window (seconds). */
export const toReturnStats = (rows: readonly StatsRow[]): Record<number, ReturnStats> =>
  Object.fromEntries(
    rows.map((r) => [
      Number(r.window_seconds),
      {
        deliveredLines: Number(r.delivered_lines),
        returnedLines: Number(r.returned_lines),
        exchanges: Number(r.exchanges),
        refundsWithoutReturn: Number(r.refunds_without_return),
        itemsMismatches: Number(r.items_mismatches),
        cancellations: Number(r.cancellations),
      },
    ]),
  );

/**
 * The return history in `account_return_facts` (migration 1764000001900): one row per fact,
 * its id the primary key, so recording is an INSERT … ON CONFLICT DO NOTHING; the windows of one
 * account are read in one query on the (account_id, occurred_at) index.
 */
export class SqlReturnFactStore implements ReturnFactStore {
  private readonly sql: Sql;

  constructor(ds: DataSource) {
    this.sql = new Sql(ds);
  }

  async record(facts: ReturnFact[]): Promise<number> {
    if (facts.length === 0) return 0;
    const rows = await this.sql.rows<{ fact_id: string }>(
      `INSERT INTO account_return_facts (fact_id, account_id, kind, lines, occurred_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[])
       ON CONFLICT (fact_id) DO NOTHING RETURNING fact_id`,
      [
        facts.map((f) => f.id),
        facts.map((f) => f.accountId),
        facts.map((f) => f.kind),
        facts.map((f) => f.lines),
        facts.map((f) => f.occurredAt),
      ],
    );
    return rows.length;
  }

  /** All windows in one round trip (`returnStatsSql`). */
  async stats(
    accountId: string,
    windows: number[],
    now: Date,
  ): Promise<Record<number, ReturnStats>> {
    if (windows.length === 0) return {};
    return toReturnStats(
      await this.sql.rows<StatsRow>(returnStatsSql(), [accountId, windows, now]),
    );
  }

  /** Bounded: the oldest rows first, found on the BRIN index of occurred_at. */
  prune(before: Date, limit: number): Promise<number> {
    return this.sql.affected(
      `DELETE FROM account_return_facts WHERE fact_id IN (
         SELECT fact_id FROM account_return_facts WHERE occurred_at < $1 LIMIT $2)`,
      [before, limit],
    );
  }
}
