import { Client } from 'pg';
import type { Logger } from 'pino';
import { newContext, type RequestContext } from './context';
import { counter } from './metrics';

/** Every tick of a sweep: `ran`, `failed`, `skipped` (another replica holds it) or `no-lock`. */
const sweepTicks = counter(
  'emporia_sweep_ticks_total',
  'Ticks of the scheduled sweeps, by outcome (ran, failed, skipped: another replica holds the lock, no-lock: the lock could not be asked)',
  ['service', 'sweep', 'outcome'],
);

/** A job a service runs every `everyMs` (expire reservations, finish refunds ...): bounded batches. */
export interface Sweep {
  /** Unique within the service: it names the lock, the log lines and the metric. */
  name: string;
  everyMs: number;
  run: (ctx: RequestContext) => Promise<unknown>;
}

/**
 * Who may run a sweep. `tryAcquire` answers at once: true when this replica holds (or has just
 * taken) the named lock, false when another replica holds it.
 */
export interface SweepLock {
  tryAcquire(key: string): Promise<boolean>;
  /** Lets every lock go (the next replica to try takes over). */
  close(): Promise<void>;
}

/** For one process alone (unit tests, a service without a database): every try succeeds. */
export const localSweepLock: SweepLock = {
  tryAcquire: async () => true,
  close: async () => undefined,
};

/** A lock session: its connection and the keys it holds. */
interface LockSession {
  client: Client;
  held: Set<string>;
}

/**
 * Postgres session advisory locks on one dedicated connection (not the pool's): the replica
 * that took a sweep's lock keeps it while it lives and runs the sweep each interval; the others
 * try at each of theirs and skip. So a sweep runs once per interval across replicas, not once
 * per replica. When the holder stops (its connection closes) or its connection breaks, the next
 * replica to try takes over.
 */
export class PostgresSweepLock implements SweepLock {
  /**
   * The current session. A key is held by a session, never by the object: a session dropped (its
   * connection broke, or ended) takes its keys with it, and a later session starts with none,
   * even when an answer of the old one arrives after the drop.
   */
  private session: LockSession | undefined;
  private connecting: Promise<LockSession> | undefined;

  constructor(
    private readonly url: string,
    private readonly applicationName: string,
  ) {}

  /**
   * One question at a time on the connection: the sweeps' timers ask concurrently, and pg only
   * queues a query sent while another runs with a deprecation warning (an error in pg 9).
   */
  private queue: Promise<unknown> = Promise.resolve();

  tryAcquire(key: string): Promise<boolean> {
    const ask = this.queue.then(
      () => this.ask(key),
      () => this.ask(key),
    );
    this.queue = ask.catch(() => undefined);
    return ask;
  }

  private async ask(key: string): Promise<boolean> {
    const session = await this.connection();
    try {
      if (session.held.has(key)) {
        // still ours as long as the session lives; a broken one throws here
        await session.client.query('SELECT 1');
      } else {
        const { rows } = await session.client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
          [key],
        );
        if (rows[0]?.locked !== true) return false;
        session.held.add(key);
      }
    } catch (e) {
      await this.drop(session);
      throw e;
    }
    // the answer came, but the session may have broken in the same read (its error handled
    // before this continuation): its lock is gone with it, so this tick does not run
    return this.session === session;
  }

  async close(): Promise<void> {
    await this.drop(this.session);
  }

  private connection(): Promise<LockSession> {
    if (this.session) return Promise.resolve(this.session);
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.url,
        application_name: this.applicationName,
        connectionTimeoutMillis: 5000,
      });
      const session: LockSession = { client, held: new Set<string>() };
      // a broken session has lost its locks: dropped (only this one), a new one at the next try
      client.on('error', () => void this.drop(session));
      try {
        await client.connect();
      } catch (e) {
        await client.end().catch(() => undefined);
        throw e;
      }
      this.session = session;
      return session;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Ends `session` (its locks go with it); the current one is forgotten. */
  private async drop(session: LockSession | undefined): Promise<void> {
    if (!session) return;
    if (this.session === session) this.session = undefined;
    session.held.clear();
    await session.client.end().catch(() => undefined);
  }
}

/**
 * Runs a service's sweeps: each on its own timer (a run never overlaps the previous one of the
 * same sweep), each run only where the sweep's lock is held. A failing run is logged and the
 * sweep runs again at the next interval. `stop()` waits for the runs in flight, then lets the
 * locks go.
 */
export class Sweeper {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = true;

  constructor(
    private readonly service: string,
    private readonly sweeps: readonly Sweep[],
    private readonly lock: SweepLock,
    private readonly logger: Logger,
  ) {
    const names = sweeps.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`${service}: two sweeps are named '${twice}'`);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const sweep of this.sweeps) this.schedule(sweep);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.inFlight);
    await this.lock.close();
  }

  private schedule(sweep: Sweep): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const run = this.tick(sweep).finally(() => {
        this.inFlight.delete(run);
        this.schedule(sweep);
      });
      this.inFlight.add(run);
    }, sweep.everyMs);
    this.timers.set(sweep.name, timer);
  }

  private async tick(sweep: Sweep): Promise<void> {
    const key = `${this.service}:${sweep.name}`;
    const tally = (outcome: string) =>
      sweepTicks.inc({ service: this.service, sweep: sweep.name, outcome });
    let mine: boolean;
    try {
      mine = await this.lock.tryAcquire(key);
    } catch (err) {
      tally('no-lock');
      this.logger.warn({ err, sweep: sweep.name }, 'sweep lock unavailable: run skipped');
      return;
    }
    if (!mine) return tally('skipped');
    if (this.stopped) return;
    try {
      await sweep.run(newContext());
      tally('ran');
    } catch (err) {
      tally('failed');
      this.logger.warn({ err, sweep: sweep.name }, `${sweep.name} sweep failed`);
    }
  }
}

/** Several sweeps on one interval: `sweepsEvery(ms, { 'payment-deadline': (ctx) => ... })`. */
export function sweepsEvery(everyMs: number, runs: Record<string, Sweep['run']>): Sweep[] {
  return Object.entries(runs).map(([name, run]) => ({ name, everyMs, run }));
}
