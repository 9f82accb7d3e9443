import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@emporia/persistence';
import { metricsRegistry } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import {
  appendToOutbox,
  ConsumerLagMonitor,
  createKafka,
  DependencyUnavailableError,
  dlqTopic,
  ensureTopics,
  HEADER,
  KafkaEventConsumer,
  KafkaPublisher,
  MessagingTables1764000000000,
  NonRetriableError,
  OutboxRelay,
  type MessagePublisher,
} from '../src';

jest.setTimeout(120_000);

const logger = testLogger('messaging-metrics');

/** The value of a gauge's series with these labels (undefined: no such series). */
async function gaugeValue(
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

/** Resolves once `probe` answers `want` (the gauges are refreshed by timers). */
const until = (what: string, probe: () => Promise<number | undefined>, want: number) =>
  eventually(async () => ((await probe()) === want ? true : undefined), {
    what: `${what} = ${want}`,
  });

/**
 * The messaging gauges on real servers: the outbox's backlog and the age of its oldest row from
 * the relay, the consumer group's lag and the dead letters from the admin API.
 */
describe('messaging metrics (real Postgres + Kafka)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  const brokers = testEnv.kafkaBrokers().split(',');

  beforeAll(async () => {
    db = await createTestDatabase('messaging_metrics_it');
    ds = await createDataSource({
      url: db.url,
      entities: [],
      migrations: [MessagingTables1764000000000],
    }).initialize();
    await runMigrations(ds);
    kafka = createKafka({ brokers, clientId: 'messaging-metrics-it', logger });
    publisher = new KafkaPublisher(kafka);
  });

  afterAll(async () => {
    await publisher?.close();
    await ds?.destroy();
    await db?.drop();
  });

  const headers = () => ({
    [HEADER.eventId]: randomUUID(),
    [HEADER.eventType]: 'emporia.test.v1.Thing',
    [HEADER.occurredAt]: new Date().toISOString(),
  });
  const produce = (topic: string, values: string[]) =>
    publisher.publish(
      values.map((v, i) => ({ topic, key: `k${i}`, value: Buffer.from(v), headers: headers() })),
    );

  it('an idle relay whose row the broker keeps refusing reports the backlog and the row’s age; both 0 once published', async () => {
    const topic = `it-${uniqueSuffix()}.age`;
    await ensureTopics(kafka, [topic], 1);
    const service = `it-age-${uniqueSuffix()}`;
    const pending = () => gaugeValue('emporia_outbox_pending', { service });
    const age = () => gaugeValue('emporia_outbox_oldest_pending_age_seconds', { service });
    // a row written 90 s ago that nobody nudged the relay for (another replica's, a crash's)
    await ds.transaction((m) =>
      appendToOutbox(m, [
        { topic, key: 'k', type: 'emporia.test.v1.Thing', payload: Buffer.from('stuck') },
      ]),
    );
    await ds.query(
      `UPDATE outbox SET created_at = now() - interval '90 seconds' WHERE topic = $1`,
      [topic],
    );
    const refusing: MessagePublisher = {
      publish: () => Promise.reject(new Error('broker unavailable')),
    };
    const stuck = new OutboxRelay(ds, refusing, { logger, service, intervalMs: 50 });
    stuck.start();
    try {
      // every pass fails (and the loop backs off): the gauges are still updated
      await eventually(
        async () => (((await age()) ?? 0) >= 90 && (await pending()) === 1 ? true : undefined),
        { what: 'the stuck row reported' },
      );
      const first = (await age())!;
      expect(first).toBeLessThan(120);
      // the age keeps growing while the row waits
      await eventually(async () => ((await age())! >= first + 1 ? true : undefined), {
        what: 'the age growing',
      });
    } finally {
      await stuck.stop();
    }
    const relay = new OutboxRelay(ds, publisher, { logger, service, intervalMs: 50 });
    relay.start();
    try {
      await until('pending', pending, 0);
      await until('oldest pending age', age, 0);
      expect(await relay.backlog()).toEqual({ pending: 0, oldestAgeSeconds: 0 });
    } finally {
      await relay.stop();
    }
  });

  it('consumer lag: N behind while the partition waits on a dependency and while the consumer is stopped; dead letters counted per DLQ', async () => {
    const topic = `it-${uniqueSuffix()}.lag`;
    await ensureTopics(kafka, [topic], 2);
    const groupId = `g-lag-${uniqueSuffix()}`;
    let down = false;
    const handled: string[] = [];
    const consumer = new KafkaEventConsumer(kafka, {
      groupId,
      topics: [topic],
      logger,
      backoffMs: 20,
      maxBackoffMs: 200,
      handler: async (event) => {
        const body = event.value.toString();
        if (body.startsWith('poison')) throw new NonRetriableError('cannot handle');
        if (down) throw new DependencyUnavailableError('database down');
        handled.push(body);
      },
    });
    const monitor = new ConsumerLagMonitor({
      brokers,
      clientId: 'it-lag',
      groupId,
      topics: [topic],
      intervalMs: 200,
      logger,
    });
    const lag = () => gaugeValue('emporia_kafka_consumer_lag', { group: groupId, topic });
    const dead = () => gaugeValue('emporia_dead_letter_messages', { topic: dlqTopic(topic) });
    monitor.start();
    await consumer.start();
    let stopped = false;
    try {
      // a fresh group: everything from the beginning is behind until handled
      await produce(topic, ['a1', 'a2', 'a3', 'poison-1', 'poison-2']);
      await eventually(async () => (handled.length === 3 ? true : undefined), {
        what: 'the first events handled',
      });
      await until('lag', lag, 0);
      await until('dead letters', dead, 2);

      // a dependency is down: the consumer pauses its partitions and fetches nothing more
      down = true;
      await produce(topic, ['b1', 'b2', 'b3', 'b4', 'b5']);
      await until('lag while waiting on a dependency', lag, 5);
      await eventually(async () => (consumer.waitingOnDependency() > 0 ? true : undefined), {
        what: 'a partition waiting',
      });
      // still right poll after poll while nothing is fetched
      await new Promise((r) => setTimeout(r, 1000));
      expect(await lag()).toBe(5);

      down = false;
      await until('lag once the dependency is back', lag, 0);
      expect(handled).toHaveLength(8);

      // the consumer stops (a crash, a deploy): what is produced meanwhile is behind
      await consumer.stop();
      stopped = true;
      await produce(topic, ['c1', 'c2', 'c3']);
      await until('lag of a stopped consumer', lag, 3);
      expect(await dead()).toBe(2);
    } finally {
      if (!stopped) await consumer.stop();
      await monitor.stop();
    }
  });

  it('a DLQ not made yet holds 0; Kafka not answering: the poll fails, one warning, the gauges keep their last values', async () => {
    const topic = `it-${uniqueSuffix()}.down`;
    // a topic without its DLQ (made by the first dead letter): it holds none
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    const groupId = `g-down-${uniqueSuffix()}`;
    await produce(topic, ['x1', 'x2']);
    const lag = () => gaugeValue('emporia_kafka_consumer_lag', { group: groupId, topic });
    const dead = () => gaugeValue('emporia_dead_letter_messages', { topic: dlqTopic(topic) });
    const measured = new ConsumerLagMonitor({ brokers, clientId: 'it-up', groupId, logger });
    measured.watch([topic]);
    await measured.poll();
    await measured.stop();
    expect([await lag(), await dead()]).toEqual([2, 0]);

    const lines: { level: number; msg: string }[] = [];
    const captured = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
          cb();
        },
      }),
    );
    // nothing listens there: every connection is refused
    const unreachable = new ConsumerLagMonitor({
      brokers: [`127.0.0.1:${await freePort()}`],
      clientId: 'it-down',
      groupId,
      topics: [topic],
      intervalMs: 50,
      logger: captured,
    });
    await expect(unreachable.poll()).rejects.toThrow();
    unreachable.start();
    try {
      // the loop keeps trying (backing off) and says so once per interval, not per failure
      await new Promise((r) => setTimeout(r, 3000));
      expect(lines.map((l) => l.msg)).toEqual([
        'consumer lag and dead letters not measured; retrying (the gauges keep their last values)',
      ]);
      expect(lines[0].level).toBe(40);
      expect(await lag()).toBe(2);
    } finally {
      await unreachable.stop();
    }
  });
});
