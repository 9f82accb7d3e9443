import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import './kafkajs-idle-fix';
import type { Logger } from '@emporia/platform';
import { dlqTopic, type MessagePublisher, type WireMessage } from './event';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

export function createKafka(opts: KafkaConnectionOptions): Kafka {
  const log = opts.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 200 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        // Handled: KafkaPublisher reconnects (new producer id) after a failed send.
        if (message?.startsWith('Limiting retries for the idempotent producer'))
          return log.debug(rest, message);
        if (level <= logLevel.ERROR) log.error(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
}

/**
 * Creates topics (and their DLQs) that do not exist yet, then waits until every partition has
 * a leader. kafkajs's own `waitForLeaders` gives up on UNKNOWN_TOPIC_OR_PARTITION, which a
 * freshly started broker answers for a moment, so readiness is polled here with a bound.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  partitions = 3,
  timeoutMs = 60000,
): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const all = [...new Set(topics.flatMap((t) => [t, dlqTopic(t)]))];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const existing = new Set(await admin.listTopics());
        const wanted = all.filter((t) => !existing.has(t));
        if (wanted.length > 0) {
          await admin.createTopics({
            waitForLeaders: false,
            topics: wanted.map((topic) => ({
              topic,
              numPartitions: partitions,
              replicationFactor: 1,
            })),
          });
        }
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: all });
        if (
          meta.length === all.length &&
          meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
        )
          return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
      if (Date.now() > deadline)
        throw new Error(`topics ${all.join(', ')} have no leaders after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Idempotent producer, acks from all in-sync replicas, one request in flight (keeps order). After
 * a failed send it starts over with a new producer, so a new producer id and fresh sequence
 * numbers: kafkajs keeps a producer's id and sequences across disconnect and connect, and after
 * the broker restarted a producer whose sequences were ahead of it was answered
 * OUT_OF_ORDER_SEQUENCE_NUMBER on every send, for good (the chaos run's Kafka restart: order's
 * outbox stopped publishing until the process was restarted).
 */
export class KafkaPublisher implements MessagePublisher {
  private producer: Producer | undefined;
  private connected: Promise<void> | undefined;

  constructor(private readonly kafka: Pick<Kafka, 'producer'>) {}

  connect(): Promise<void> {
    // Java-compatible murmur2 partitioning, so any client puts one key on the same partition.
    const producer = (this.producer ??= this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    }));
    this.connected ??= producer.connect();
    return this.connected;
  }

  async publish(messages: WireMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, WireMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    try {
      await this.connect(); // a connection that failed is tried again with the next publish
      await this.producer!.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        })),
      });
    } catch (e) {
      // the sequence numbers may now be out of step with the broker's: the next publish starts a
      // new producer (the caller retries the whole batch; consumers de-duplicate)
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    const { producer, connected } = this;
    this.producer = undefined;
    this.connected = undefined;
    if (producer && connected) await producer.disconnect();
  }
}

/** Readiness: the cluster answers a metadata request. */
export async function pingKafka(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}
