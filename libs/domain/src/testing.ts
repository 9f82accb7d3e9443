// Test doubles of the shared ports, for the services' in-memory test support (`src/testing`).
import type { Clock, IdGenerator } from './ports';

/** A clock that stands still until a test moves it. */
export class FakeClock implements Clock {
  constructor(private at = new Date('2026-11-25T10:00:00Z')) {}
  now = () => new Date(this.at.getTime());
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** UUID-shaped ids, in sequence (`…0001`, `…0002`, …): ordering by id is ordering by creation. */
export class SequentialIds implements IdGenerator {
  private n = 0;
  newId = () => `0190b000-0000-7000-8000-${(++this.n).toString(16).padStart(12, '0')}`;
}

/**
 * Saves the tables of an in-memory store so a failed transaction can put them back: its Maps,
 * Sets and arrays are copied (the fakes replace a changed row, never mutate it), other fields kept.
 */
export function snapshotTables(store: object): () => void {
  const saved = Object.entries(store).map(([k, v]: [string, unknown]) => [
    k,
    v instanceof Map ? new Map(v) : v instanceof Set ? new Set(v) : Array.isArray(v) ? [...v] : v,
  ]);
  return () => {
    for (const [k, v] of saved) (store as Record<string, unknown>)[k as string] = v;
  };
}

/** A store a fake unit of work runs over: committed events in `outbox`, handled ones in `inbox`. */
export interface FakeStore<E> {
  outbox: E[];
  inbox?: Set<string>;
}

/**
 * The services' fake units of work: each `run` is a transaction over the store, committed when
 * the work returns (the events recorded in it appended to the outbox) and rolled back when it
 * throws (every table as it was, its events dropped). `runForEvent` records the event in the
 * inbox inside the same transaction: a failed handling runs again on redelivery, a handled one
 * never twice. `failNextRuns` fails the next runs before they start, as a lost database would.
 * A service's fake says how a transaction opens its repositories (`begin`).
 */
export abstract class FakeUnitOfWork<Tx, E, S extends FakeStore<E> = FakeStore<E>> {
  /** Transactions committed and rolled back. */
  commits = 0;
  rollbacks = 0;
  private readonly failing: unknown[] = [];

  constructor(readonly store: S) {}

  /** The repositories of one transaction, and the events it records. */
  protected abstract begin(): { tx: Tx; recorded: { readonly rows: readonly E[] } };

  failNextRuns(n: number, error: unknown = new Error('database unreachable (in-memory fault)')) {
    this.failing.splice(0, this.failing.length, ...Array<unknown>(n).fill(error));
  }

  run<T>(_ctx: unknown, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transact((tx) => work(tx));
  }

  /**
   * One statement (the adapters' `statement`): a transaction here too (failNextRuns applies
   * alike) that may record no events; one that does fails and changes nothing.
   */
  statement<T>(_ctx: unknown, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transact(async (tx, recorded) => {
      const result = await work(tx);
      if (recorded.rows.length > 0)
        throw new Error('a one-statement unit of work produced events: use run() for changes');
      return result;
    });
  }

  private async transact<T>(
    work: (tx: Tx, recorded: { readonly rows: readonly E[] }) => Promise<T>,
  ): Promise<T> {
    if (this.failing.length > 0) throw this.failing.shift();
    const rollback = snapshotTables(this.store);
    const { tx, recorded } = this.begin();
    try {
      const result = await work(tx, recorded);
      this.store.outbox.push(...recorded.rows);
      this.commits++;
      return result;
    } catch (e) {
      rollback();
      this.rollbacks++;
      throw e;
    }
  }

  runForEvent(
    ctx: unknown,
    consumer: string,
    event: { eventId: string },
    work: (tx: Tx) => Promise<void>,
  ): Promise<boolean> {
    return this.run(ctx, async (tx) => {
      const inbox = this.store.inbox;
      if (!inbox) throw new Error('this fake store keeps no inbox');
      const key = `${consumer}/${event.eventId}`;
      if (inbox.has(key)) return false;
      inbox.add(key);
      await work(tx);
      return true;
    });
  }
}
