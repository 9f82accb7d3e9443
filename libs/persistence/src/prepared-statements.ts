import { createHash } from 'node:crypto';
import { Client, Query } from 'pg';

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

/** TypeORM's own transaction statements (no parameters). */
const START = /^\s*START TRANSACTION\s*$/i;
const END = /^\s*(COMMIT|ROLLBACK)\s*$/i;

/** pg's Query as it is at run time (its protocol steps are not in its type declarations). */
interface PgQuery {
  prepare(connection: PgConnection): void;
  handleCommandComplete(msg: { text?: string }, connection: PgConnection): void;
}
const PgQueryClass = Query as unknown as new (
  config: { name?: string; text: string; values: unknown[] },
  values: undefined,
  callback: QueryCallback,
) => PgQuery;

/**
 * A statement sent with `BEGIN` before it, in one write and one round trip: Parse, Bind and
 * Execute of `BEGIN`, then the statement's own messages and one Sync. Postgres answers `BEGIN`'s
 * completion first; it is not part of the statement's result. The statement runs inside the
 * transaction block `BEGIN` opened, exactly as if `BEGIN` had been sent alone before it.
 */
class BeginThen extends PgQueryClass {
  private begun = false;

  /** Always by the extended protocol: `prepare` is where `BEGIN` is written. */
  requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: PgConnection): void {
    connection.parse({ text: 'BEGIN' });
    connection.bind({});
    connection.execute({});
    super.prepare(connection);
  }

  override handleCommandComplete(msg: { text?: string }, connection: PgConnection): void {
    if (!this.begun && msg.text === 'BEGIN') {
      this.begun = true;
      return;
    }
    super.handleCommandComplete(msg, connection);
  }
}

/** What `BeginThen` uses of pg's connection (its protocol writer). */
interface PgConnection {
  parse(msg: { text: string; name?: string }): void;
  bind(msg: object): void;
  execute(msg: object): void;
}

/** The answer of a transaction statement not sent (as pg's result would say). */
const answered = (command: string) => ({ command, rowCount: null, rows: [], fields: [] });

/**
 * A `pg` Client whose parameterised statements run as named prepared statements (see
 * `StatementNames`; none with `names` undefined), and whose transactions open without a round
 * trip of their own: TypeORM's `START TRANSACTION` is answered at once and `BEGIN` travels with
 * the transaction's first statement (`BeginThen`). A transaction that sent no statement sends
 * nothing at its `COMMIT` or `ROLLBACK`. Given to the pool as its `Client`, so TypeORM's query
 * runners, `Sql` and direct pool queries all go through it.
 */
export function preparingClient(names: StatementNames | undefined): typeof Client {
  return class PreparingClient extends Client {
    private beginPending = false;

    // pg's overloads: (text, values?, callback?) or (config, values?, callback?)
    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const cb =
        typeof values === 'function' ? values : typeof callback === 'function' ? callback : null;
      const params = typeof values === 'function' ? undefined : values;
      if (typeof config === 'string' && params === undefined) {
        if (START.test(config) && !this.beginPending) {
          this.beginPending = true;
          return this.answer(answered('BEGIN'), cb as QueryCallback | null);
        }
        const end = END.exec(config);
        if (end && this.beginPending) {
          this.beginPending = false;
          return this.answer(answered(end[1].toUpperCase()), cb as QueryCallback | null);
        }
      }
      const name =
        typeof config === 'string' && Array.isArray(params) ? names?.nameOf(config) : undefined;
      if (this.beginPending) {
        this.beginPending = false;
        // only a statement that goes by the extended protocol anyway (it has parameters; pg sends
        // one with an empty list as a simple query, BEGIN's messages unsent): a text without them
        // may hold several statements, which the extended protocol refuses
        // and, when named, one this connection has parsed already: pg takes any ParseComplete
        // (BEGIN's too) as its statement's, which must not mark a Parse that may yet fail
        if (
          typeof config === 'string' &&
          Array.isArray(params) &&
          params.length > 0 &&
          (!name || this.parsed(name))
        ) {
          const q = { ...(name ? { name } : {}), text: config, values: params };
          return this.send(q, cb as QueryCallback | null);
        }
        super.query('BEGIN').catch(() => undefined); // its failure fails what follows
      }
      if (name) {
        const named = { name, text: config as string, values: params as unknown[] };
        return (cb ? super.query(named, cb as QueryCallback) : super.query(named)) as never;
      }
      return (super.query as (...a: unknown[]) => never)(config, values, callback);
    }

    /** Whether this connection has parsed the named statement `name` (pg's own record). */
    private parsed(name: string): boolean {
      const connection = (this as unknown as { connection?: { parsedStatements?: object } })
        .connection;
      return Object.prototype.hasOwnProperty.call(connection?.parsedStatements ?? {}, name);
    }

    /** `q` after `BEGIN`, in one round trip. */
    private send(q: { name?: string; text: string; values: unknown[] }, cb: QueryCallback | null) {
      const run = (done: QueryCallback) => {
        super.query(new BeginThen(q, undefined, done) as never);
      };
      if (cb) {
        run(cb);
        return undefined as never;
      }
      return new Promise((resolve, reject) =>
        run((err, res) => (err ? reject(err) : resolve(res))),
      ) as never;
    }

    private answer(result: object, cb: QueryCallback | null): never {
      if (cb) {
        queueMicrotask(() => cb(null, result));
        return undefined as never;
      }
      return Promise.resolve(result) as never;
    }
  } as typeof Client;
}
