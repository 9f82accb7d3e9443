/**
 * The one way services read and write their tables (libs/persistence/README.md): SQL with
 * positional parameters, rows typed by an interface per table or query (column names as
 * Postgres returns them), mapped to domain types by plain functions in the adapter.
 *
 * The row type is the caller's declaration of what the SQL returns; this helper is the only
 * place the driver's untyped answer becomes it, so no adapter casts `Record<string, unknown>`.
 */
import type { HoldingClient } from './prepared-statements';

/** Runs SQL: a DataSource, or the EntityManager of a transaction. */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * TypeORM answers an UPDATE or DELETE with `[rows, affected]` and anything else with the rows.
 * Rows are objects, so a two-element array holding an array and a number is that pair.
 */
function asPair(result: unknown): [unknown[], number] | undefined {
  return Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
    ? [result[0], result[1]]
    : undefined;
}

export class Sql {
  constructor(private readonly runner: SqlRunner) {}

  /** The rows of a SELECT, or of an INSERT/UPDATE/DELETE ... RETURNING. */
  async rows<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
    const result = await this.runner.query(sql, params);
    const rows = asPair(result)?.[0] ?? result;
    if (!Array.isArray(rows)) throw new Error('the query did not answer rows');
    return rows as R[];
  }

  /** The first row, or null when there is none. */
  async one<R extends object>(sql: string, params: unknown[] = []): Promise<R | null> {
    return (await this.rows<R>(sql, params))[0] ?? null;
  }

  /** Rows changed by an UPDATE or DELETE (without RETURNING), or returned by anything else. */
  async affected(sql: string, params: unknown[] = []): Promise<number> {
    const result = await this.runner.query(sql, params);
    const pair = asPair(result);
    if (pair) return pair[1];
    return Array.isArray(result) ? result.length : 0;
  }

  /** A statement whose answer is not needed. */
  async run(sql: string, params: unknown[] = []): Promise<void> {
    await this.runner.query(sql, params);
  }

  /**
   * A write whose answer is not needed, held in a transaction until its next statement or its
   * COMMIT and sent with it, in the same round trip (prepared-statements.ts, `holdUntilCommit`):
   * an INSERT, UPDATE or DELETE without RETURNING. It fails that statement or the COMMIT if it
   * fails, so the transaction rolls back whole; a ROLLBACK drops it unsent. Outside a
   * transaction, or on a pool without the preparing client, it runs at once as `run`.
   */
  async runAtCommit(sql: string, params: unknown[] = []): Promise<void> {
    const client = (
      this.runner as {
        queryRunner?: { isTransactionActive?: boolean; databaseConnection?: unknown };
      }
    ).queryRunner;
    const connection = client?.isTransactionActive ? client.databaseConnection : undefined;
    if (isHolding(connection) && connection.holdUntilCommit(sql, params)) return;
    await this.run(sql, params);
  }
}

const isHolding = (c: unknown): c is HoldingClient =>
  typeof (c as Partial<HoldingClient> | undefined)?.holdUntilCommit === 'function';

/**
 * A column list (`'id, name'`) of one table, qualified by its alias in a join (`'p.id, p.name'`):
 * one constant per table serves both. With `prefix`, each is also renamed (`'p.id AS p_id'`), so
 * two tables' rows can share a result row without their names meeting (`unprefixed` reads one
 * back).
 */
export function qualified(alias: string, columns: string, prefix?: string): string {
  return columns
    .split(',')
    .map((c) => c.trim())
    .map((c) => (prefix === undefined ? `${alias}.${c}` : `${alias}.${c} AS ${prefix}${c}`))
    .join(', ');
}

/**
 * The columns of `row` named `prefix…`, without the prefix: one table's row out of a join whose
 * columns `qualified(alias, columns, prefix)` renamed.
 */
export function unprefixed<T>(row: object, prefix: string): T {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  ) as T;
}

/**
 * `column = ANY($n::type[])` with `values` as its parameter, written `column = $n::type` with the
 * one value as its parameter when there is exactly one: `[condition, parameter]`.
 *
 * Postgres plans a named statement's first five executions for their values (custom plans), then
 * caches a generic plan if it costs no more. For `= ANY($n)` over a parameter array the generic
 * plan counts ten values whatever is passed, so for one value it always costs more than a custom
 * plan and the statement is planned again at every execution: catalog's SKU lookup, the one
 * behind every cart write, spent 174 µs planning and 29 µs running (pg_stat_statements in the
 * checkout benchmark). The scalar form of a one-value lookup gets its generic plan after five.
 * The two forms are two statement texts, each named once.
 */
export function anyOf(
  column: string,
  n: number,
  type: string,
  values: readonly unknown[],
): [string, unknown] {
  return values.length === 1
    ? [`${column} = $${n}::${type}`, values[0]]
    : [`${column} = ANY($${n}::${type}[])`, values];
}
