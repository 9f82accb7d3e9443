import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { counter, gauge, histogram, ThrottledWarning, type Logger } from '@emporia/platform';
import { dlqTopic, HEADER, NonRetriableError, type ReceivedEvent } from './event';
import {
  classifyFailure,
  isNonRetriable,
  type FailureClassifier,
  type FailureKind,
} from './failure';
import { KafkaPublisher } from './kafka';
import { traceHandling } from './tracing';

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  handler: (event: ReceivedEvent) => Promise<void>;
  logger: Logger;
  /**
   * Tries of a message whose failure is poison or unknown before it goes to `<topic>.dlq`
   * (a NonRetriableError goes at once). An unavailable dependency never uses these up.
   */
  maxAttempts?: number;
  /** First retry delay; it doubles with every retry of the same message up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The service's own failure rules, asked before the built-in ones (see `classifyFailure`). */
  classify?: FailureClassifier;
  /**
   * Answers when the service's own dependencies do (e.g. its readiness checks). Asked after an
   * unknown failure: when it fails, the failure counts as an unavailable dependency (no try used).
   */
  probe?: () => Promise<void>;
  /** At most one "waiting for a dependency" warning per interval per consumer (default 30 s). */
  warnIntervalMs?: number;
  fromBeginning?: boolean;
  /** `start()` fails if the group has not joined by then. */
  joinTimeoutMs?: number;
  /**
   * Partitions handled at the same time (default 1). Each partition's messages stay in order;
   * more lets a consumer whose handler waits on its database keep several transactions going.
   */
  partitionsConcurrently?: number;
  /**
   * Gathers events for up to this long before a fetch answers (the broker holds the fetch until
   * `FETCH_GATHER_BYTES` arrived or this passed), so a busy topic is handled in batches: one
   * fetch and one offset commit per batch instead of one per event. For consumers whose effects
   * may come this much later (points, redemptions); without it a fetch answers as soon as one
   * event arrives (and waits at most 1 s on an idle topic).
   */
  gatherMs?: number;
}

/** What a gathering fetch waits for (see `gatherMs`): far more than a window's events. */
const FETCH_GATHER_BYTES = 1 << 20;

const handled = counter('emporia_events_handled_total', 'Events handled by consumers', [
  'group',
  'topic',
  'outcome',
]);
const deadLettered = counter(
  'emporia_events_dead_lettered_total',
  'Events sent to a dead-letter topic',
  ['group', 'topic'],
);
const retried = counter(
  'emporia_event_retries_total',
  'Failed tries of an event that will be tried again, by why it failed (unavailable, poison, unknown)',
  ['group', 'topic', 'reason'],
);
const waitingGauge = gauge(
  'emporia_events_waiting_on_dependency',
  'Events (one per paused partition) waiting for an unavailable dependency to come back',
  ['group', 'topic'],
);
const handleSeconds = histogram('emporia_event_handle_seconds', 'Time to handle one event', [
  'group',
  'topic',
]);

function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

function toReceived(topic: string, partition: number, message: KafkaMessage): ReceivedEvent {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(message.headers ?? {})) {
    const v = headerString(message.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  const eventId = headers[HEADER.eventId];
  const eventType = headers[HEADER.eventType];
  const base = {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers,
    eventId: eventId ?? '',
    eventType: eventType ?? '',
    occurredAt: headers[HEADER.occurredAt] ?? '',
    ...(headers[HEADER.traceparent] ? { traceparent: headers[HEADER.traceparent] } : {}),
  };
  if (!eventId || !/^[0-9a-f-]{36}$/i.test(eventId) || !eventType) {
    throw Object.assign(
      new NonRetriableError(`message lacks a valid ${HEADER.eventId}/${HEADER.eventType} header`),
      { received: base },
    );
  }
  return base;
}

/** The message at the head of a partition that failed and will be tried again. */
interface Stalled {
  topic: string;
  partition: number;
  offset: string;
  /** Failed tries of this message, all causes. */
  tries: number;
  /** Failed tries that count towards `maxAttempts` (poison or unknown). */
  failures: number;
  /** Tries that found a dependency unavailable, and since when (the partition is waiting). */
  unavailable: number;
  waitingSince?: number;
  timer?: NodeJS.Timeout;
  resume?: () => void;
}

/** What to do after one message: go on, retry it after `ms` (partition paused), or stop. */
type Next = { next: 'advance' } | { next: 'retry'; ms: number } | { next: 'stop' };

const STOPPED = Symbol('stopped');

/**
 * Consumes topics, telling an unavailable dependency from a message that cannot be processed
 * (CONVENTIONS.md 20, `classifyFailure`):
 * - a dependency is unavailable: the message is retried with capped exponential backoff and
 *   jitter for as long as it takes, its partition paused meanwhile (the offset stays where it is,
 *   so the partition never moves past it and per-key order holds; other partitions keep flowing;
 *   the group membership is kept by the fetch loop's heartbeats). Never dead-lettered.
 * - poison or unknown: a few tries (`maxAttempts`, with backoff, the partition paused between
 *   them), then `<topic>.dlq` with the error and its origin, and the partition moves on. A
 *   NonRetriableError goes to the DLQ at once.
 * The offset is committed only after a message was handled or dead-lettered, so a crash or a
 * shutdown redelivers it (handlers are idempotent: inbox, versions). `stop()` does not wait for
 * a dependency: retries stop, a handler still running is left behind, its message uncommitted.
 */
export class KafkaEventConsumer {
  private readonly consumer: Consumer;
  private readonly dlq: KafkaPublisher;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly joinTimeoutMs: number;
  private readonly waitWarning: ThrottledWarning;
  private readonly stalled = new Map<string, Stalled>();
  private stopping = false;
  private signalStop: () => void = () => undefined;
  private readonly stopped = new Promise<typeof STOPPED>((resolve) => {
    this.signalStop = () => resolve(STOPPED);
  });

  constructor(
    kafka: Kafka,
    private readonly opts: ConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      // a resumed partition is fetched again within this (and shutdown is not held up longer)
      ...(opts.gatherMs !== undefined && opts.gatherMs > 0
        ? { maxWaitTimeInMs: Math.min(opts.gatherMs, 1000), minBytes: FETCH_GATHER_BYTES }
        : { maxWaitTimeInMs: 1000 }),
    });
    this.dlq = new KafkaPublisher(kafka);
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.backoffMs = opts.backoffMs ?? 200;
    this.maxBackoffMs = Math.max(this.backoffMs, opts.maxBackoffMs ?? 10000);
    this.joinTimeoutMs = opts.joinTimeoutMs ?? 60000;
    this.waitWarning = new ThrottledWarning(opts.logger, opts.warnIntervalMs ?? 30000);
  }

  /** Connects, subscribes and resolves once the group has joined and partitions are assigned. */
  async start(): Promise<void> {
    await this.consumer.connect();
    await this.dlq.connect();
    for (const topic of this.opts.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.opts.fromBeginning ?? true });
    }
    const joined = new Promise<void>((resolve) => {
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) =>
      this.forgetRevoked(payload.memberAssignment),
    );
    await this.consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: Math.max(1, this.opts.partitionsConcurrently ?? 1),
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, pause, isRunning, isStale }) => {
        for (const message of batch.messages) {
          if (!isRunning() || isStale() || this.stopping) return;
          const outcome = await this.process(batch.topic, batch.partition, message);
          if (outcome.next === 'stop') return;
          if (outcome.next === 'retry') {
            // the offset stays unresolved: after the pause the partition is fetched from here
            this.retryLater(batch.topic, batch.partition, pause(), outcome.ms);
            return;
          }
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        joined,
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `consumer group ${this.opts.groupId} did not join within ${this.joinTimeoutMs} ms`,
                ),
              ),
            this.joinTimeoutMs,
          );
        }),
      ]);
    } catch (e) {
      await this.consumer.disconnect().catch(() => undefined);
      await this.dlq.close().catch(() => undefined);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops at once, whatever a dependency does: no more retries, a handler still running is not
   * waited for (its message stays uncommitted and is redelivered), then the group is left.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    for (const s of this.stalled.values()) clearTimeout(s.timer);
    const topics = new Set([...this.stalled.values()].map((s) => s.topic));
    this.stalled.clear();
    for (const topic of topics) this.updateWaiting(topic);
    await this.consumer.disconnect();
    await this.dlq.close();
  }

  /** Messages (one per partition) waiting for an unavailable dependency right now. */
  waitingOnDependency(): number {
    return [...this.stalled.values()].filter((s) => s.waitingSince !== undefined).length;
  }

  private async process(topic: string, partition: number, message: KafkaMessage): Promise<Next> {
    const key = `${topic}|${partition}`;
    const prior = this.stalled.get(key);
    if (prior && prior.offset !== message.offset) this.forget(key);
    let event: ReceivedEvent;
    try {
      event = toReceived(topic, partition, message);
    } catch (e) {
      const received = (e as { received: ReceivedEvent }).received;
      return this.deadLetterOrWait(key, received, e as Error, 1);
    }
    const timer = handleSeconds.startTimer({ group: this.opts.groupId, topic });
    try {
      const running = traceHandling(this.opts.groupId, event, () => this.opts.handler(event));
      running.catch(() => undefined); // may settle after a stop, when nobody waits for it
      if ((await Promise.race([running, this.stopped])) === STOPPED) return { next: 'stop' };
    } catch (e) {
      if (this.stopping) return { next: 'stop' };
      return this.failed(key, event, e);
    }
    timer();
    const s = this.stalled.get(key);
    if (s?.waitingSince !== undefined) {
      this.opts.logger.info(
        {
          topic,
          partition,
          offset: message.offset,
          eventId: event.eventId,
          waitedMs: Date.now() - s.waitingSince,
          tries: s.tries + 1,
        },
        'dependency available again: event handled',
      );
    }
    this.forget(key);
    handled.inc({ group: this.opts.groupId, topic, outcome: 'ok' });
    return { next: 'advance' };
  }

  private async failed(key: string, event: ReceivedEvent, e: unknown): Promise<Next> {
    const { groupId, logger } = this.opts;
    const err = e instanceof Error ? e : new Error(String(e));
    const kind = await this.kindOf(e);
    const s = this.stalledFor(key, event);
    s.tries++;
    const where = {
      topic: event.topic,
      partition: event.partition,
      offset: event.offset,
      eventId: event.eventId,
    };
    if (kind === 'unavailable') {
      s.unavailable++;
      if (s.waitingSince === undefined) {
        s.waitingSince = Date.now();
        this.updateWaiting(event.topic);
      }
      retried.inc({ group: groupId, topic: event.topic, reason: kind });
      this.waitWarning.warn(
        {
          ...where,
          group: groupId,
          error: `${err.name}: ${err.message}`,
          waitingMs: Date.now() - s.waitingSince,
          waitingPartitions: this.waitingOnDependency(),
        },
        'event waits for an unavailable dependency; retrying without limit',
      );
      logger.debug({ ...where, err, tries: s.tries }, 'dependency unavailable');
      return { next: 'retry', ms: this.backoff(s.unavailable) };
    }
    s.failures++;
    if (isNonRetriable(e) || s.failures >= this.maxAttempts) {
      return this.deadLetterOrWait(key, event, err, s.tries);
    }
    retried.inc({ group: groupId, topic: event.topic, reason: kind });
    logger.warn({ ...where, err, kind, attempt: s.failures }, 'event handler failed; will retry');
    return { next: 'retry', ms: this.backoff(s.failures) };
  }

  /** Built-in and service rules; an unknown failure while the probe fails is an outage. */
  private async kindOf(e: unknown): Promise<FailureKind> {
    const kind = classifyFailure(e, this.opts.classify ? [this.opts.classify] : []);
    if (kind !== 'unknown' || !this.opts.probe) return kind;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.opts.probe(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('probe timed out')), 5000);
        }),
      ]);
      return 'unknown';
    } catch {
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  }

  /** Dead-letters; if the DLQ cannot be written (Kafka down), the message waits like any other. */
  private async deadLetterOrWait(
    key: string,
    event: ReceivedEvent,
    err: Error,
    attempts: number,
  ): Promise<Next> {
    try {
      await this.deadLetter(event, err, attempts);
    } catch (e) {
      const s = this.stalledFor(key, event);
      s.unavailable++;
      this.opts.logger.warn(
        { topic: event.topic, partition: event.partition, offset: event.offset, err: e },
        'cannot write to the dead-letter topic; will retry',
      );
      return { next: 'retry', ms: this.backoff(s.unavailable) };
    }
    this.forget(key);
    return { next: 'advance' };
  }

  private stalledFor(key: string, event: ReceivedEvent): Stalled {
    let s = this.stalled.get(key);
    if (!s) {
      s = {
        topic: event.topic,
        partition: event.partition,
        offset: event.offset,
        tries: 0,
        failures: 0,
        unavailable: 0,
      };
      this.stalled.set(key, s);
    }
    return s;
  }

  private retryLater(topic: string, partition: number, resume: () => void, ms: number): void {
    const s = this.stalled.get(`${topic}|${partition}`);
    if (!s || this.stopping) return;
    clearTimeout(s.timer);
    s.resume = resume;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (!this.stopping) resume();
    }, ms);
  }

  /** Capped exponential backoff with jitter: a random delay in [d/2, d]. */
  private backoff(n: number): number {
    const d = Math.min(this.backoffMs * 2 ** Math.min(n - 1, 30), this.maxBackoffMs);
    return Math.round(d / 2 + (Math.random() * d) / 2);
  }

  private forget(key: string): void {
    const s = this.stalled.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    this.stalled.delete(key);
    if (s.waitingSince !== undefined) this.updateWaiting(s.topic);
  }

  /** After a rebalance: partitions this member lost are resumed and forgotten. */
  private forgetRevoked(assignment: Record<string, number[]>): void {
    for (const [key, s] of [...this.stalled]) {
      if (assignment[s.topic]?.includes(s.partition)) continue;
      s.resume?.();
      this.forget(key);
    }
  }

  private updateWaiting(topic: string): void {
    const n = [...this.stalled.values()].filter(
      (s) => s.topic === topic && s.waitingSince !== undefined,
    ).length;
    waitingGauge.set({ group: this.opts.groupId, topic }, n);
  }

  private async deadLetter(event: ReceivedEvent, err: Error, attempts: number): Promise<void> {
    const { groupId, logger } = this.opts;
    await this.dlq.publish([
      {
        topic: dlqTopic(event.topic),
        key: event.key,
        value: event.value,
        headers: {
          ...event.headers,
          'dlq-error': `${err.name}: ${err.message}`.slice(0, 4000),
          'dlq-original-topic': event.topic,
          'dlq-original-partition': String(event.partition),
          'dlq-original-offset': event.offset,
          'dlq-consumer-group': groupId,
          'dlq-attempts': String(attempts),
          'dlq-failed-at': new Date().toISOString(),
        },
      },
    ]);
    deadLettered.inc({ group: groupId, topic: event.topic });
    handled.inc({ group: groupId, topic: event.topic, outcome: 'dead_lettered' });
    logger.error(
      {
        topic: event.topic,
        partition: event.partition,
        offset: event.offset,
        eventId: event.eventId,
        error: err.message,
        attempts,
      },
      'event dead-lettered',
    );
  }
}

/**
 * A consumer `probe` from a service's readiness checks (its HealthRegistry): fails when one of
 * the service's dependencies does not answer, naming which.
 */
export function readinessProbe(health: {
  check(): Promise<{ ok: boolean; checks: Record<string, string> }>;
}): () => Promise<void> {
  return async () => {
    const { ok, checks } = await health.check();
    if (!ok) {
      const failing = Object.entries(checks).filter(([, v]) => v !== 'ok');
      throw new Error(`not ready: ${failing.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    }
  };
}
