import { Sql } from '@emporia/persistence';
import type { DataSource } from 'typeorm';
import type {
  OrderLookup,
  OrderLookups,
  ReturnHistoryQuery,
  RiskStore,
} from '../application/ports';
import type { ListKind } from '../domain/rules';
import { returnStatsSql, toReturnStats, type StatsRow } from './sql-return-facts.store';
import { listedParams, listedSql, SqlRiskStore } from './sql-risk.store';

/** A row of the lookup: one window's history, with the order's list hits (the same in each). */
interface LookupRow extends StatsRow {
  listed: ListKind[];
}

/**
 * An order's list hits and its account's return history in one statement (issue 19): the return
 * history's query per window (`returnStatsSql`) with the list lookup (`listedSql`) as a column,
 * an uncorrelated subquery Postgres runs once. One round trip where `RiskStore.listed` and
 * `ReturnFactStore.stats` took one each. Without a history asked, the list lookup alone.
 */
export class SqlOrderLookups implements OrderLookups {
  private readonly sql: Sql;
  private readonly lists: Pick<RiskStore, 'listed'>;

  constructor(ds: DataSource) {
    this.sql = new Sql(ds);
    this.lists = new SqlRiskStore(ds);
  }

  async read(
    values: { kind: ListKind; value: string }[],
    history?: ReturnHistoryQuery,
  ): Promise<OrderLookup> {
    if (!history || history.windows.length === 0) {
      const listed = await this.lists.listed(values);
      return history ? { listed, returns: {} } : { listed };
    }
    const rows = await this.sql.rows<LookupRow>(
      returnStatsSql(`,
              ARRAY(${listedSql(4)}) AS listed`),
      [history.accountId, history.windows, history.now, ...listedParams(values)],
    );
    // a row per window: windows were asked, so there is one
    return { listed: rows[0]?.listed ?? [], returns: toReturnStats(rows) };
  }
}
