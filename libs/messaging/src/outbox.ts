import type { DataSource, EntityManager } from 'typeorm';
import { anyOf, inTransaction, Sql } from '@emporia/persistence';
import { counter, gauge, PollingLoop, type Logger } from '@emporia/platform';
import {
  HEADER,
  toWireMessage,
  type MessagePublisher,
  type NewEvent,
  type WireMessage,
} from './event';
import { tracePublish } from './tracing';

/**
 * Writes events into the outbox inside the caller's transaction: the state change and its
 * events commit together or not at all. Nothing is published from here.
 */
export async function appendToOutbox(
  manager: EntityManager,
  events: readonly NewEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    // the headers it will carry on Kafka, written down now (the relay sends them as stored)
    const wire = toWireMessage(e);
    values.push(
      wire.headers[HEADER.eventId],
      e.topic,
      e.key,
      e.type,
      wire.value,
      JSON.stringify(wire.headers),
      wire.headers[HEADER.occurredAt],
    );
    const b = i * 7;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}::jsonb, $${b + 7})`;
  });
  // sent with the COMMIT (one round trip less per transaction with events); it fails the COMMIT
  // if it fails, so the state change and its events still commit together or not at all
  await new Sql(manager).runAtCommit(
    `INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, occurred_at) VALUES ${rows.join(', ')}`,
    values,
  );
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll interval when idle; `nudge()` wakes the relay sooner after a local commit. */
  intervalMs?: number;
  /** Published rows older than this are deleted. */
  retentionMs?: number;
  /**
   * After a nudge, the relay waits this long for more commits before its pass (default 5 ms), so
   * the events of concurrent requests go out in one transaction and one produce request instead
   * of one each: the latency an event may gain, for far fewer round trips under load. 0: at once.
   */
  lingerMs?: number;
  logger: Logger;
  service: string;
}

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

const published = counter('emporia_outbox_published_total', 'Outbox rows published to the broker', [
  'service',
]);
const failures = counter(
  'emporia_outbox_publish_failures_total',
  'Failed outbox publish attempts',
  ['service'],
);
/**
 * How often a busy (or failing) relay counts its pending rows for `emporia_outbox_pending` and
 * finds the oldest one's age for `emporia_outbox_oldest_pending_age_seconds`.
 */
const GAUGE_EVERY_MS = 1000;
const pendingGauge = gauge('emporia_outbox_pending', 'Outbox rows not yet published', ['service']);
const oldestAgeGauge = gauge(
  'emporia_outbox_oldest_pending_age_seconds',
  'Age of the oldest outbox row not yet published (since its transaction wrote it); 0 when none',
  ['service'],
);

/** The outbox's backlog: rows not yet published, and how long the oldest has waited. */
export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number;
}

/**
 * Publishes pending outbox rows in commit order and marks them sent. Rows left pending by a
 * crash (after commit, before publish) are simply found pending on the next pass: delivery is
 * at least once, consumers de-duplicate by event id. One relay per database publishes at a time
 * (a transaction-scoped advisory lock), which keeps per-key order across replicas.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly loop: PollingLoop;
  private readonly lingerMs: number;
  private lingering: NodeJS.Timeout | undefined;
  /** A commit nudged the relay since the last pass: rows are surely pending. */
  private nudged = false;
  private stopped = false;
  private lastPrune = 0;
  private lastGauge = 0;
  /** The gauges' children of this relay's service, bound once. */
  private readonly gauges: { pending: { set(v: number): void }; oldest: { set(v: number): void } };

  constructor(
    private readonly ds: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly opts: OutboxRelayOptions,
  ) {
    this.batchSize = opts.batchSize ?? 200;
    this.retentionMs = opts.retentionMs ?? 7 * 24 * 3600 * 1000;
    this.lingerMs = Math.max(0, opts.lingerMs ?? 5);
    this.gauges = {
      pending: pendingGauge.labels(opts.service),
      oldest: oldestAgeGauge.labels(opts.service),
    };
    this.loop = new PollingLoop(() => this.pass(), {
      intervalMs: opts.intervalMs ?? 500,
      maxBackoffMs: 30_000,
      onFailure: (err, failures) =>
        this.opts.logger.warn({ err, failures }, 'outbox relay pass failed; will retry'),
    });
  }

  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  /** Stops polling and waits for the batch in flight (drain on shutdown). */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.lingering);
    this.lingering = undefined;
    return this.loop.stop();
  }

  /**
   * Asks for a pass soon, e.g. right after a transaction that wrote events committed: after
   * `lingerMs`, so that the nudges of concurrent commits make one pass.
   */
  nudge(): void {
    this.nudged = true;
    if (this.stopped) return;
    if (this.lingerMs === 0) return this.loop.nudge();
    this.lingering ??= setTimeout(() => {
      this.lingering = undefined;
      this.loop.nudge();
    }, this.lingerMs);
  }

  /** Publishes until nothing is pending (or a publish fails); returns the number published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n < this.batchSize) return total;
    }
  }

  /**
   * One batch: lock, read pending rows in order, publish, mark. Returns rows published. A failed
   * publish is recorded on the rows (attempts, last_error) in a committed transaction and rethrown.
   */
  async publishBatch(): Promise<number> {
    const outcome = await this.ds.transaction(
      async (m): Promise<{ published: number } | { error: Error }> => {
        const sql = new Sql(m);
        // the relay's lock and the pending rows in one round trip: the lock is tried once (a
        // materialized CTE), and rows come back only when it was taken; none when another relay
        // holds it (it publishes them) or nothing waits
        const rows = await sql.rows<OutboxRow>(
          `WITH relay AS MATERIALIZED (
             SELECT pg_try_advisory_xact_lock(hashtext('emporia.outbox.relay')) AS locked)
           SELECT o.seq, o.topic, o.message_key, o.payload, o.headers
             FROM relay, outbox o
            WHERE relay.locked AND o.published_at IS NULL
            ORDER BY o.seq LIMIT $1`,
          [this.batchSize],
        );
        if (rows.length === 0) return { published: 0 };
        const seqs = rows.map((r) => r.seq);
        const messages: WireMessage[] = rows.map((r) => ({
          topic: r.topic,
          key: r.message_key,
          value: r.payload,
          headers: r.headers,
        }));
        // traced: each message's publish is a span under the request that wrote its row
        const traced = tracePublish(this.opts.service, messages);
        try {
          await this.publisher.publish(traced.messages);
          traced.end();
        } catch (e) {
          traced.end(e);
          const error = e instanceof Error ? e : new Error(String(e));
          await sql.runAtCommit(
            `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`,
            [seqs, error.message.slice(0, 2000)],
          );
          return { error };
        }
        // sent with the COMMIT (no round trip of its own); if it fails, the rows stay pending and
        // go again (at least once, as after any failure here)
        // one row's mark by its scalar form (a cached generic plan: persistence's anyOf)
        const [bySeq, param] = anyOf('seq', 1, 'bigint', seqs);
        await sql.runAtCommit(
          `UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE ${bySeq}`,
          [param],
        );
        return { published: rows.length };
      },
    );
    if ('error' in outcome) {
      failures.inc({ service: this.opts.service });
      throw outcome.error;
    }
    published.inc({ service: this.opts.service }, outcome.published);
    return outcome.published;
  }

  async pendingCount(): Promise<number> {
    return (await this.backlog()).pending;
  }

  /**
   * The pending rows and the oldest one's age, in one query (the age by the database's clock:
   * `created_at` is its `now()` when the row's transaction began).
   */
  async backlog(): Promise<OutboxBacklog> {
    const [r] = await new Sql(this.ds).rows<{ n: number; age: number }>(
      `SELECT count(*)::int AS n,
              coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
         FROM outbox WHERE published_at IS NULL`,
    );
    return { pending: r.n, oldestAgeSeconds: Math.max(0, r.age) };
  }

  /** Whether any row waits, in one round trip (no transaction, no lock). */
  async anyPending(): Promise<boolean> {
    const [{ pending }] = await new Sql(this.ds).rows<{ pending: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM outbox WHERE published_at IS NULL) AS pending`,
    );
    return pending;
  }

  /**
   * Publishes what is pending, prunes old rows hourly, updates the gauges (at most once a second:
   * under load a pass runs after nearly every commit, and the backlog is one more round trip);
   * throws on failure. A pass of the idle timer (no commit nudged it) first asks in one round
   * trip whether anything waits (rows of another replica, or left by a crash), and stops there
   * when nothing does: an idle relay costs one query per interval. The gauges are updated after
   * a pass that failed too (a row the broker keeps refusing): its backlog and age keep growing
   * on /metrics while the loop backs off.
   */
  private async pass(): Promise<void> {
    const nudged = this.nudged;
    this.nudged = false;
    if (!nudged && !(await this.anyPending())) {
      this.setGauges({ pending: 0, oldestAgeSeconds: 0 });
      await this.prune();
      return;
    }
    try {
      await this.drain();
      await this.prune();
    } finally {
      await this.updateGauges();
    }
  }

  /** At most once per GAUGE_EVERY_MS; a failed query leaves the last values (never throws). */
  private async updateGauges(): Promise<void> {
    if (Date.now() - this.lastGauge < GAUGE_EVERY_MS) return;
    this.lastGauge = Date.now();
    try {
      this.setGauges(await this.backlog());
    } catch {
      // the database did not answer: the pass itself fails or will fail and says so
    }
  }

  private setGauges(b: OutboxBacklog): void {
    this.gauges.pending.set(b.pending);
    this.gauges.oldest.set(b.oldestAgeSeconds);
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune > 3600_000) {
      this.lastPrune = Date.now();
      await new Sql(this.ds).run(
        `DELETE FROM outbox WHERE published_at < now() - ($1::bigint * interval '1 millisecond')`,
        [this.retentionMs],
      );
    }
  }
}

/**
 * Runs `work` in one transaction and appends the events it returns to the outbox in that same
 * transaction; after a commit that wrote events, `onEventsCommitted` runs (to wake the relay).
 * Retries serialization failures like `inTransaction` (the work must be safe to run again).
 */
export async function transactionWithOutbox<T>(
  ds: DataSource,
  work: (manager: EntityManager) => Promise<{ result: T; events: NewEvent[] }>,
  onEventsCommitted: () => void = () => undefined,
): Promise<T> {
  let wrote = false;
  const result = await inTransaction(ds, async (manager) => {
    const { result: value, events } = await work(manager);
    await appendToOutbox(manager, events);
    wrote = events.length > 0;
    return value;
  });
  if (wrote) onEventsCommitted();
  return result;
}
