import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { counter, histogram, type Logger } from '@emporia/platform';
import {
  dlqTopic,
  HEADER,
  NonRetriableError,
  type MessagePublisher,
  type ReceivedEvent,
  type WireMessage,
} from './event';

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

/** Idempotent producer, acks from all in-sync replicas, one request in flight (keeps order). */
export class KafkaPublisher implements MessagePublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    // Java-compatible murmur2 partitioning, so any client puts one key on the same partition.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish(messages: WireMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, WireMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
        })),
      });
    } catch (e) {
      // Retries are bounded, so sequence numbers may now be out of step: start a new producer
      // session on the next publish (the caller retries the whole batch; consumers de-duplicate).
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  handler: (event: ReceivedEvent) => Promise<void>;
  logger: Logger;
  /** Attempts per message before it goes to `<topic>.dlq`. */
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  fromBeginning?: boolean;
  /** `start()` fails if the group has not joined by then. */
  joinTimeoutMs?: number;
}

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Consumes topics with bounded retries: a failing message is retried with exponential
 * backoff, then published to `<topic>.dlq` with the error and its origin, and the partition
 * moves on. A poison message never stalls a partition. The offset is committed only after the
 * message was handled or dead-lettered, so a crash redelivers (handlers are idempotent).
 */
export class KafkaEventConsumer {
  private readonly consumer: Consumer;
  private readonly dlq: KafkaPublisher;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly joinTimeoutMs: number;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly opts: ConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
    });
    this.dlq = new KafkaPublisher(kafka);
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.backoffMs = opts.backoffMs ?? 200;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.joinTimeoutMs = opts.joinTimeoutMs ?? 60000;
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
    await this.consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        await this.handleOne(topic, partition, message, heartbeat);
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

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    await this.dlq.close();
  }

  private async handleOne(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    const { groupId, logger } = this.opts;
    let event: ReceivedEvent;
    try {
      event = toReceived(topic, partition, message);
    } catch (e) {
      const received = (e as { received: ReceivedEvent }).received;
      await this.deadLetter(received, e as Error, 0);
      return;
    }
    const timer = handleSeconds.startTimer({ group: groupId, topic });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.handler(event);
        handled.inc({ group: groupId, topic, outcome: 'ok' });
        timer();
        return;
      } catch (e) {
        const err = e as Error;
        const last = attempt >= this.maxAttempts || e instanceof NonRetriableError || this.stopping;
        logger.warn(
          { err, topic, partition, offset: message.offset, eventId: event.eventId, attempt },
          'event handler failed',
        );
        if (last) {
          if (this.stopping && !(e instanceof NonRetriableError) && attempt < this.maxAttempts) {
            // shutting down: leave the offset uncommitted so another member retries it
            throw err;
          }
          await this.deadLetter(event, err, attempt);
          timer();
          return;
        }
        await sleep(Math.min(this.backoffMs * 2 ** (attempt - 1), this.maxBackoffMs));
        await heartbeat();
      }
    }
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
      },
      'event dead-lettered',
    );
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

/**
 * Starts a consumer for a service that is already serving, and hands the service back; if the
 * consumer cannot start, the service is closed (draining what it started) and the error thrown.
 */
export async function startConsumerFor<S extends { close(): Promise<void> }>(
  service: S,
  consumer: KafkaEventConsumer,
): Promise<S> {
  try {
    await consumer.start();
  } catch (e) {
    await service.close();
    throw e;
  }
  return service;
}
