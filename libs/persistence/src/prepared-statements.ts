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

/** pg's mapping of a parameter to the wire (what its own Query binds with; not in pg's types). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

/** One statement as the client sends it. */
interface Statement {
  name?: string;
  text: string;
  values: unknown[];
}

const BEGIN: Statement = { text: 'BEGIN', values: [] };
const COMMIT: Statement = { text: 'COMMIT', values: [] };

/** pg's Query as it is at run time (its protocol steps are not in its type declarations). */
interface PgQuery {
  prepare(connection: PgConnection): void;
  handleCommandComplete(msg: { text?: string }, connection: PgConnection): void;
}
const PgQueryClass = Query as unknown as new (
  config: Statement,
  values: undefined,
  callback: QueryCallback,
) => PgQuery;

/** What `Pipelined` uses of pg's connection (its protocol writer and statement record). */
interface PgConnection {
  parse(msg: { text: string; name?: string }): void;
  bind(msg: object): void;
  execute(msg: object): void;
  parsedStatements: Record<string, string>;
}

/**
 * A statement sent with the statements `before` it, in one write and one round trip: Parse (when
 * the connection has not parsed it), Bind and Execute of each statement before, then the
 * statement's own messages and one Sync. Postgres runs them in order and answers each; the
 * answers of the statements before (`BEGIN`, writes that return no rows) are not part of the
 * statement's result. The first that fails fails the statement with its error, and Postgres
 * skips the rest up to the Sync: nothing after a failure runs.
 */
class Pipelined extends PgQueryClass {
  /** CommandCompletes still to come from the statements before. */
  private skip: number;
  /** The named statements before, in the order of their Parse (undefined: not named). */
  private readonly parses: (Statement | undefined)[] = [];

  constructor(
    private readonly before: readonly Statement[],
    q: Statement,
    callback: QueryCallback,
  ) {
    super(q, undefined, callback);
    this.skip = before.length;
  }

  /** Always by the extended protocol: `prepare` is where the statements before are written. */
  requiresPreparation(): boolean {
    return true;
  }

  override prepare(connection: PgConnection): void {
    // a name parsed earlier in this write is not parsed again (Postgres would refuse it)
    const parsing = new Set<string>();
    for (const s of this.before) {
      const parsed =
        s.name !== undefined && (has(connection.parsedStatements, s.name) || parsing.has(s.name));
      if (!parsed) {
        connection.parse({ text: s.text, ...(s.name ? { name: s.name } : {}) });
        this.parses.push(s.name ? s : undefined);
        if (s.name) parsing.add(s.name);
      }
      // values mapped to the wire when the statement was held (a value pg cannot send fails there)
      connection.bind({ statement: s.name ?? '', values: s.values });
      connection.execute({});
    }
    super.prepare(connection);
  }

  /**
   * A ParseComplete of a statement before (true): a named one is recorded as parsed only now, when
   * Postgres has accepted it. False: the statement's own, which pg records.
   */
  parseCompleted(connection: PgConnection): boolean {
    if (this.parses.length === 0) return false;
    const s = this.parses.shift();
    if (s?.name) connection.parsedStatements[s.name] = s.text;
    return true;
  }

  override handleCommandComplete(msg: { text?: string }, connection: PgConnection): void {
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    super.handleCommandComplete(msg, connection);
  }
}

const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** No statement to send before another. */
const NOTHING: readonly Statement[] = [];

/**
 * `done`, answering the failure of writes that went ahead of the statement instead of the
 * statement's own (Postgres refuses it in the failed transaction, 25P02); `always`: even when the
 * statement itself succeeded (a COMMIT answered ROLLBACK).
 */
const reportingAhead =
  (ahead: { failure?: Error }, done: QueryCallback, always = false): QueryCallback =>
  (err, res) =>
    done(err || always ? (ahead.failure ?? err) : null, res);

/** The answer of a transaction statement not sent (as pg's result would say). */
const answered = (command: string) => ({ command, rowCount: null, rows: [], fields: [] });

/** A statement that may be held until the transaction's COMMIT: a write that returns no rows. */
const HELD_WRITE = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(insert|update|delete)\b/i;
const RETURNING = /\breturning\b/i;

/** Whether `text` may be held for the COMMIT (`holdUntilCommit`). */
export function holdable(text: string): boolean {
  return HELD_WRITE.test(text) && !RETURNING.test(text);
}

/** The client of a pool built with `preparingClient` (what `Sql.runAtCommit` asks of it). */
export interface HoldingClient {
  /**
   * Holds a write for the open transaction (true): it is sent with the transaction's next
   * statement or its COMMIT, in the same round trip, and its failure fails that statement or
   * the COMMIT (the transaction then rolls back). A ROLLBACK drops it unsent. False outside a
   * transaction opened by `START TRANSACTION` (TypeORM's): the caller runs it itself.
   */
  holdUntilCommit(text: string, values: unknown[]): boolean;
}

/**
 * A `pg` Client whose parameterised statements run as named prepared statements (see
 * `StatementNames`; none with `names` undefined), and whose transactions spend no round trip of
 * their own at either end:
 * - TypeORM's `START TRANSACTION` is answered at once and `BEGIN` travels with the transaction's
 *   first statement;
 * - writes held with `holdUntilCommit` (`Sql.runAtCommit`: the outbox's rows, and writes whose
 *   answer is not read) travel with the next statement or with the `COMMIT`.
 * A transaction that sent nothing sends nothing at its `COMMIT` or `ROLLBACK`. Given to the pool
 * as its `Client`, so TypeORM's query runners, `Sql` and direct pool queries all go through it.
 */
export function preparingClient(names: StatementNames | undefined): typeof Client {
  return class PreparingClient extends Client implements HoldingClient {
    /** `START TRANSACTION` answered, `BEGIN` not sent yet. */
    private beginPending = false;
    /** Between TypeORM's `START TRANSACTION` and its `COMMIT` or `ROLLBACK`. */
    private inTransaction = false;
    /** Writes held for the next statement or the COMMIT. */
    private held: Statement[] = [];
    /**
     * Held writes went ahead of a statement that could not carry them, in this transaction; their
     * failure once Postgres has answered it.
     */
    private ahead?: { failure?: Error };

    holdUntilCommit(text: string, values: unknown[]): boolean {
      if (!this.inTransaction) return false;
      if (!holdable(text))
        throw new Error('only an INSERT, UPDATE or DELETE without RETURNING is held for COMMIT');
      const name = names?.nameOf(text);
      this.held.push({ ...(name ? { name } : {}), text, values: values.map(prepareValue) });
      return true;
    }

    // pg's overloads: (text, values?, callback?) or (config, values?, callback?)
    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const cb = (
        typeof values === 'function' ? values : typeof callback === 'function' ? callback : null
      ) as QueryCallback | null;
      const params = typeof values === 'function' ? undefined : values;
      if (typeof config === 'string' && params === undefined) {
        if (START.test(config) && !this.inTransaction) {
          this.beginPending = true;
          this.inTransaction = true;
          this.held = [];
          this.ahead = undefined;
          return this.answer(answered('BEGIN'), cb);
        }
        const end = END.exec(config);
        if (end && this.inTransaction) return this.finish(end[1].toUpperCase(), cb);
      }
      const name =
        typeof config === 'string' && Array.isArray(params) ? names?.nameOf(config) : undefined;
      const before = this.takeBefore();
      if (before.length > 0) {
        // only a statement that goes by the extended protocol anyway (it has parameters; pg sends
        // one with an empty list as a simple query, the messages before unsent): a text without
        // them may hold several statements, which the extended protocol refuses
        // and, when named, one this connection has parsed already: pg takes any ParseComplete
        // (BEGIN's too) as its statement's, which must not mark a Parse that may yet fail
        if (
          typeof config === 'string' &&
          Array.isArray(params) &&
          params.length > 0 &&
          (!name || this.parsed(name))
        ) {
          const q = { ...(name ? { name } : {}), text: config, values: params };
          return this.send(before, q, cb, this.ahead);
        }
        this.sendAhead(before);
      }
      if (this.ahead) return this.afterSentAhead(this.ahead, name, config, params, cb);
      if (name) {
        const named = { name, text: config as string, values: params as unknown[] };
        return (cb ? super.query(named, cb) : super.query(named)) as never;
      }
      return (super.query as (...a: unknown[]) => never)(config, values, callback);
    }

    /** `BEGIN` if it is still to be sent, then the held writes; both emptied. */
    private takeBefore(): readonly Statement[] {
      // every statement asks: nothing pending (the usual case) allocates nothing
      if (!this.beginPending && this.held.length === 0) return NOTHING;
      const before = this.beginPending ? [BEGIN, ...this.held] : this.held;
      this.beginPending = false;
      this.held = [];
      return before;
    }

    /** The transaction's COMMIT or ROLLBACK. */
    private finish(command: string, cb: QueryCallback | null): never {
      this.inTransaction = false;
      const ahead = this.ahead;
      this.ahead = undefined;
      if (command === 'ROLLBACK') {
        this.held = []; // never sent: nothing to undo
        if (this.beginPending) {
          this.beginPending = false;
          return this.answer(answered('ROLLBACK'), cb);
        }
        return (cb ? super.query('ROLLBACK', cb) : super.query('ROLLBACK')) as never;
      }
      if (ahead?.failure) {
        // held writes failed ahead of a statement: the COMMIT would only say ROLLBACK; TypeORM
        // answers this failure with its ROLLBACK, which ends the transaction
        this.inTransaction = true;
        this.ahead = ahead;
        return this.fail(ahead.failure, cb);
      }
      if (this.held.length === 0 && this.beginPending) {
        this.beginPending = false;
        return this.answer(answered('COMMIT'), cb);
      }
      const before = this.takeBefore();
      return this.run((done) => {
        // writes sent ahead and not answered yet: a failure of theirs is the COMMIT's
        const report = ahead ? reportingAhead(ahead, done, true) : done;
        if (before.length === 0) super.query('COMMIT', report);
        else super.query(new Pipelined(before, COMMIT, report) as never);
      }, cb);
    }

    /**
     * The statements before, sent on their own ahead of a statement that cannot carry them (a
     * simple query): `BEGIN` alone, or the writes after it with the last of them as the one
     * answered. A failure is kept and reported by the statement that follows (which Postgres
     * refuses in the failed transaction) and by the COMMIT.
     */
    private sendAhead(before: readonly Statement[]): void {
      if (before.length === 1 && before[0] === BEGIN) {
        super.query('BEGIN').catch(() => undefined); // its failure fails what follows
        return;
      }
      const last = before[before.length - 1];
      const q: Statement = { text: last.text, values: last.values };
      const ahead = (this.ahead ??= {});
      super.query(
        new Pipelined(before.slice(0, -1), q, (err) => {
          if (err) ahead.failure ??= err;
        }) as never,
      );
    }

    /**
     * A statement after held writes that went ahead on their own: if they failed, it fails too (in
     * the failed transaction) and reports their failure, known by the time it is answered.
     */
    private afterSentAhead(
      ahead: { failure?: Error },
      name: string | undefined,
      config: unknown,
      params: unknown,
      cb: QueryCallback | null,
    ): never {
      return this.run((done) => {
        const report = reportingAhead(ahead, done);
        if (name)
          super.query({ name, text: config as string, values: params as unknown[] }, report);
        else (super.query as (...a: unknown[]) => void)(config, params, report);
      }, cb);
    }

    /** Whether this connection has parsed the named statement `name` (pg's own record). */
    private parsed(name: string): boolean {
      const connection = (this as unknown as { connection?: { parsedStatements?: object } })
        .connection;
      return has(connection?.parsedStatements ?? {}, name);
    }

    /** A ParseComplete of a statement sent before another (`Pipelined`) is recorded here. */
    _handleParseComplete(): void {
      const self = this as unknown as { _getActiveQuery(): unknown; connection: PgConnection };
      const active = self._getActiveQuery();
      if (active instanceof Pipelined && active.parseCompleted(self.connection)) return;
      (Client.prototype as unknown as { _handleParseComplete(): void })._handleParseComplete.call(
        this,
      );
    }

    /**
     * `q` after the statements `before`, in one round trip; after writes that went ahead and
     * failed, it reports their failure (Postgres refuses it in the failed transaction).
     */
    private send(
      before: readonly Statement[],
      q: Statement,
      cb: QueryCallback | null,
      ahead?: { failure?: Error },
    ): never {
      return this.run((done) => {
        const report = ahead ? reportingAhead(ahead, done) : done;
        super.query(new Pipelined(before, q, report) as never);
      }, cb);
    }

    /** Starts a query answering `done`: through `cb`, or as pg's promise when there is none. */
    private run(start: (done: QueryCallback) => void, cb: QueryCallback | null): never {
      if (cb) {
        start(cb);
        return undefined as never;
      }
      return new Promise((resolve, reject) =>
        start((err, res) => (err ? reject(err) : resolve(res))),
      ) as never;
    }

    private answer(result: object, cb: QueryCallback | null): never {
      if (cb) {
        queueMicrotask(() => cb(null, result));
        return undefined as never;
      }
      return Promise.resolve(result) as never;
    }

    private fail(err: Error, cb: QueryCallback | null): never {
      if (cb) {
        queueMicrotask(() => cb(err));
        return undefined as never;
      }
      return Promise.reject(err) as never;
    }
  } as typeof Client;
}
