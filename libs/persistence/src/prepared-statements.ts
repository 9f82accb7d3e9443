import { createHash } from 'node:crypto';
import { Client } from 'pg';

/**
 * Named prepared statements for every service's SQL (issue 19; README "Prepared statements").
 *
 * An unnamed statement is parsed and planned by Postgres at every execution. For the short
 * statements of a checkout, planning costs more than running (pg_stat_statements in the checkout
 * benchmark: 2.8 s of planning against 2.1 s of execution). A named statement is parsed once per
 * connection and its plan is cached, so only Bind and Execute travel after the first time.
 *
 * Which statements are named:
 * - a statement the caller passed a parameter list to (`Sql` always does; TypeORM's own
 *   `START TRANSACTION`, `COMMIT` and the migrations' DDL pass none, and stay simple queries);
 * - of a kind Postgres plans: SELECT, INSERT, UPDATE, DELETE, WITH, VALUES;
 * - whose result columns are spelt out: never `SELECT *`, `t.*` or `RETURNING *`. Postgres
 *   refuses to run a prepared statement whose result type changed ("cached plan must not change
 *   result type"), and a migration that adds a column changes what `*` means while the replicas
 *   of the release before still run: those statements stay unnamed;
 * - seen a second time (`minUses`): a text run once, such as an operator's ad-hoc query, is
 *   never prepared;
 * - among the first `max` different texts of the process: dynamic SQL with a growing number of
 *   texts cannot fill every connection of the pool with statements (each one holds a plan in
 *   its Postgres backend until the connection closes).
 *
 * Turned off with `DB_PREPARED_STATEMENTS=false`, for a connection pooler that cannot carry
 * named statements across its server connections (PgBouncer in transaction mode before 1.21, or
 * without `max_prepared_statements`).
 */
export interface PreparedStatementOptions {
  /** Different statement texts named per process (default 256). */
  max?: number;
  /** Executions of a text before it is named (default 2). */
  minUses?: number;
}

/** SQL that Postgres plans (a plan worth caching), after leading blanks and comments. */
const PLANNED = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(select|insert|update|delete|with|values)\b/i;

/** A `*` in a select list or RETURNING clause: `SELECT *`, `SELECT DISTINCT *`, `, t.*`, `RETURNING *`. */
const STAR_COLUMNS =
  /(?:\bselect\s+(?:distinct\s+)?|\breturning\s+|,\s*)(?:[a-z_][a-z0-9_$]*\.)?\*/i;

/** Whether `text` may run as a named statement (its result type cannot change under it). */
export function preparable(text: string): boolean {
  return PLANNED.test(text) && !STAR_COLUMNS.test(text);
}

/** Names of the statements a process prepares: the same text, the same name on every connection. */
export class StatementNames {
  private readonly names = new Map<string, string | null>();
  private readonly uses = new Map<string, number>();
  private named = 0;
  private readonly max: number;
  private readonly minUses: number;

  constructor(opts: PreparedStatementOptions = {}) {
    this.max = opts.max ?? 256;
    this.minUses = opts.minUses ?? 2;
  }

  /** The statement's name, or undefined to run it unnamed. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined) return known ?? undefined;
    if (!preparable(text)) {
      this.remember(text, null);
      return undefined;
    }
    const seen = (this.uses.get(text) ?? 0) + 1;
    if (seen < this.minUses) {
      // bounded too: past `max` texts waiting for a second use, the oldest is forgotten
      if (this.uses.size >= this.max) this.uses.delete(this.uses.keys().next().value!);
      this.uses.set(text, seen);
      return undefined;
    }
    this.uses.delete(text);
    if (this.named >= this.max) {
      this.remember(text, null);
      return undefined;
    }
    const name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    this.names.set(text, name);
    this.named++;
    return name;
  }

  /** Texts named so far. */
  preparedCount(): number {
    return this.named;
  }

  private remember(text: string, name: string | null): void {
    // texts refused are remembered up to a bound (a refusal is cheap to decide again)
    if (name === null && this.names.size >= this.max * 4) return;
    this.names.set(text, name);
  }
}

type QueryCallback = (err: Error | null, result?: unknown) => void;

/**
 * A `pg` Client whose parameterised statements run as named prepared statements (see
 * `StatementNames`); given to the pool as its `Client`, so TypeORM's query runners, `Sql` and
 * direct pool queries all go through it.
 */
export function preparingClient(names: StatementNames): typeof Client {
  return class PreparingClient extends Client {
    // pg's overloads: (text, values?, callback?) or (config, values?, callback?)
    override query(config: unknown, values?: unknown, callback?: unknown): never {
      if (typeof config === 'string' && Array.isArray(values)) {
        const name = names.nameOf(config);
        if (name) {
          const named = { name, text: config, values };
          return (
            typeof callback === 'function'
              ? super.query(named, callback as QueryCallback)
              : super.query(named)
          ) as never;
        }
      }
      return (super.query as (...a: unknown[]) => never)(config, values, callback);
    }
  } as typeof Client;
}
