import { Kafka, logLevel, type Admin } from 'kafkajs';
import './kafkajs-idle-fix';
import {
  errorChain,
  gauge,
  PollingLoop,
  ThrottledWarning,
  withTimeout,
  type Logger,
} from '@emporia/platform';
import { dlqTopic } from './event';

const lagGauge = gauge(
  'emporia_kafka_consumer_lag',
  'Messages of a topic its consumer group has not consumed yet (sum over partitions of end offset minus committed offset), measured with the admin API every lag poll',
  ['group', 'topic'],
);
const deadLetterGauge = gauge(
  'emporia_dead_letter_messages',
  'Messages held in a dead-letter topic (sum over partitions of high minus low watermark), measured every lag poll',
  ['topic'],
);

/** How often a service measures its consumer group's lag and its dead letters by default. */
export const CONSUMER_LAG_POLL_MS = 15_000;

/** A partition's earliest (`low`) and end (`high`) offsets, as kafkajs `fetchTopicOffsets` says. */
export interface PartitionWatermarks {
  partition: number;
  low: string;
  high: string;
}

/**
 * How many messages of a topic a group has not consumed: per partition, the end offset minus the
 * group's committed offset (the next message it will read), summed. A partition without a commit
 * (or with one that retention already deleted past) is read from where the consumer resets to:
 * the earliest message with `fromBeginning` (every service consumer), else the end.
 */
export function consumerLag(
  watermarks: readonly PartitionWatermarks[],
  committed: readonly { partition: number; offset: string }[],
  fromBeginning = true,
): number {
  const at = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  let lag = 0;
  for (const p of watermarks) {
    const low = Number(p.low);
    const high = Number(p.high);
    const offset = at.get(p.partition) ?? -1;
    const next = offset >= low && offset >= 0 ? offset : fromBeginning ? low : high;
    lag += Math.max(0, high - next);
  }
  return lag;
}

/** Messages a topic holds now: per partition, high minus low watermark, summed. */
export function heldMessages(watermarks: readonly PartitionWatermarks[]): number {
  return watermarks.reduce((n, p) => n + Math.max(0, Number(p.high) - Number(p.low)), 0);
}

/** Kafka's UNKNOWN_TOPIC_OR_PARTITION, as kafkajs throws it (alone, or wrapped after retries). */
function isUnknownTopic(e: unknown): boolean {
  for (const x of errorChain(e))
    if ((x as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
  return false;
}

export interface ConsumerLagOptions {
  brokers: string[];
  /** The admin client's id (`<service>-lag`). */
  clientId: string;
  groupId: string;
  /** Topics the group consumes (full names); `watch` adds more. Their DLQs are measured too. */
  topics?: readonly string[];
  /** How the group's consumers start without a commit (KafkaEventConsumer's default: true). */
  fromBeginning?: boolean;
  /** Between polls (default CONSUMER_LAG_POLL_MS). */
  intervalMs?: number;
  logger: Logger;
  /** At most one warning per interval while the broker does not answer (default 5 min). */
  warnIntervalMs?: number;
}

/**
 * Measures a consumer group's lag on its topics (`emporia_kafka_consumer_lag{group,topic}`) and
 * the messages held in those topics' dead-letter topics (`emporia_dead_letter_messages{topic}`)
 * every `intervalMs` with the admin API (the group's committed offsets, the topics' watermarks):
 * the lag stays right while the consumer fetches nothing (a partition paused while a dependency
 * is down, a consumer stopped or crashed), which the consumer's own fetch statistics could not.
 *
 * When Kafka does not answer, the gauges keep their last values (the lag cannot be known, and
 * consumers cannot move meanwhile), the poll backs off up to a minute, and one warning per
 * `warnIntervalMs` says so; the admin client logs nothing itself. A topic that fails alone
 * (deleted) leaves the others measured. A DLQ that does not exist yet (it is made by its first
 * dead letter) holds 0.
 */
export class ConsumerLagMonitor {
  private readonly kafka: Kafka;
  private readonly topics = new Set<string>();
  private readonly loop: PollingLoop;
  private readonly warning: ThrottledWarning;
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  private stopped = false;

  constructor(private readonly opts: ConsumerLagOptions) {
    // an admin client of its own, silent: its connection errors are the poll's failures, warned
    // about here at most once per interval (the service's client logs every failed connect)
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 1, initialRetryTime: 300 },
      logLevel: logLevel.NOTHING,
    });
    this.watch(opts.topics ?? []);
    const intervalMs = opts.intervalMs ?? CONSUMER_LAG_POLL_MS;
    this.warning = new ThrottledWarning(opts.logger, opts.warnIntervalMs ?? 300_000);
    this.loop = new PollingLoop(() => this.poll(), {
      intervalMs,
      maxBackoffMs: Math.max(intervalMs, 60_000),
      onFailure: (err, failures) =>
        this.warning.warn(
          { err, failures, group: opts.groupId },
          'consumer lag and dead letters not measured; retrying (the gauges keep their last values)',
        ),
    });
  }

  /** Adds topics the group consumes (full names). */
  watch(topics: Iterable<string>): void {
    for (const t of topics) this.topics.add(t);
  }

  /** Polls now and every interval after. */
  start(): void {
    this.stopped = false;
    this.loop.start();
  }

  /** Stops polling (a poll in flight is waited for at most 2 s) and disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    await withTimeout(this.loop.stop(), 2000).catch(() => undefined);
    await this.disconnect();
  }

  /** One measurement of every watched topic and its DLQ; throws when Kafka did not answer. */
  async poll(): Promise<void> {
    const topics = [...this.topics];
    if (topics.length === 0) return;
    const { groupId, fromBeginning = true } = this.opts;
    try {
      const admin = await this.connected();
      const committed = await admin.fetchOffsets({ groupId, topics });
      const failures: unknown[] = [];
      await Promise.all(
        topics.map(async (topic) => {
          try {
            const marks = await admin.fetchTopicOffsets(topic);
            const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
            lagGauge.set({ group: groupId, topic }, consumerLag(marks, mine, fromBeginning));
          } catch (e) {
            failures.push(e);
          }
          const dlq = dlqTopic(topic);
          try {
            deadLetterGauge.set({ topic: dlq }, heldMessages(await admin.fetchTopicOffsets(dlq)));
          } catch (e) {
            // a DLQ is made by its first dead letter (or ensureTopics): none yet holds none
            if (isUnknownTopic(e)) deadLetterGauge.set({ topic: dlq }, 0);
            else failures.push(e);
          }
        }),
      );
      if (failures.length > 0)
        throw new AggregateError(failures, `${failures.length} topic(s) not measured`);
    } catch (e) {
      await this.disconnect();
      throw e;
    }
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        // stopped while connecting: nothing may stay connected after stop()
        if (this.stopped) throw new Error('consumer lag monitor stopped');
      } catch (e) {
        await admin.disconnect().catch(() => undefined);
        throw e;
      } finally {
        this.connecting = undefined;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }

  private async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
