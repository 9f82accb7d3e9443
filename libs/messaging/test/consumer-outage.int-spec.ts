import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Partitioners, type Kafka, type PartitionMetadata } from 'kafkajs';
import { createDataSource, pingDataSource, runMigrations } from '@emporia/persistence';
import { AppError, metricsRegistry } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  startTcpProxy,
  testEnv,
  testLogger,
  uniqueSuffix,
  type TcpProxy,
} from '@emporia/testing';
import {
  createKafka,
  dlqTopic,
  ensureTopics,
  HEADER,
  idempotentHandler,
  KafkaEventConsumer,
  KafkaPublisher,
  MessagingTables1764000000000,
  NonRetriableError,
  replayDeadLetters,
  type ReceivedEvent,
  type ReplayEntry,
  type WireMessage,
} from '../src';

jest.setTimeout(180_000);

const logger = testLogger('messaging-outage');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Value of a labelled series of a gauge or counter in this process's registry. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = metricsRegistry.getSingleMetric(name);
  if (!m) return 0;
  const { values } = await m.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((n, v) => n + v.value, 0);
}

/**
 * The consumer's database is reached through a TCP proxy this suite starts and stops: the outage
 * is local to the test (the shared Postgres keeps serving everyone else), and it is a real one —
 * connections reset, new ones refused (or, as a network partition, accepted and never answered).
 */
describe('consumers and an unavailable dependency (real Postgres behind a proxy, real Kafka)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let proxy: TcpProxy;
  /** The consumer's view of its database: through the proxy. */
  let viaProxy: DataSource;
  /** The test's view: direct. */
  let direct: DataSource;
  let kafka: Kafka;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    db = await createTestDatabase('outage_it');
    const pg = new URL(testEnv.postgresUrl());
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port) });
    direct = await createDataSource({
      url: db.url,
      entities: [],
      migrations: [MessagingTables1764000000000],
    }).initialize();
    await runMigrations(direct);
    await direct.query(
      `CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL, k text NOT NULL, n int NOT NULL)`,
    );
    viaProxy = await createDataSource({
      url: proxy.url(db.url),
      entities: [],
      migrations: [],
      poolSize: 4,
    }).initialize();
    kafka = createKafka({
      brokers: testEnv.kafkaBrokers().split(','),
      clientId: 'outage-it',
      logger,
    });
    publisher = new KafkaPublisher(kafka);
  });

  afterAll(async () => {
    await publisher?.close();
    await viaProxy?.destroy().catch(() => undefined);
    await direct?.destroy();
    await proxy?.close();
    await db?.drop();
  });

  afterEach(async () => proxy.restore());

  const message = (topic: string, k: string, n: number, eventId = randomUUID()): WireMessage => ({
    topic,
    key: k,
    value: Buffer.from(JSON.stringify({ k, n })),
    headers: {
      [HEADER.eventId]: eventId,
      [HEADER.eventType]: 'emporia.test.v1.Counted',
      [HEADER.occurredAt]: new Date().toISOString(),
    },
  });

  /**
   * Keys the publisher's partitioner (kafkajs' default: murmur2, as Java's) sends to each of
   * `partitions` partitions, `perPartition` each: every partition has events to wait on (random
   * keys all land on one partition of three 0.4 % of the time).
   */
  const keysOnEveryPartition = (partitions: number, perPartition: number): string[] => {
    const partitionOf = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from(
      { length: partitions },
      (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata,
    );
    const keys = new Map<number, string[]>();
    for (
      let i = 0;
      keys.size < partitions || [...keys.values()].some((k) => k.length < perPartition);
      i++
    ) {
      const key = `${String.fromCharCode(97 + (i % 26))}${i}-${uniqueSuffix()}`;
      const p = partitionOf({ topic: 'keys', partitionMetadata, message: { key, value: null } });
      const on = keys.get(p) ?? [];
      if (on.length < perPartition) keys.set(p, [...on, key]);
    }
    return [...keys.values()].flat();
  };

  /** Effect: one row per event, recorded through the inbox (redelivery changes nothing). */
  const applyHandler = (
    consumerName: string,
    reject?: (body: { k: string; n: number }) => Error | undefined,
  ) =>
    idempotentHandler(viaProxy, consumerName, async (event: ReceivedEvent, manager) => {
      const body = JSON.parse(event.value.toString()) as { k: string; n: number };
      const refusal = reject?.(body);
      if (refusal) throw refusal;
      await manager.query(`INSERT INTO effects (event_id, k, n) VALUES ($1, $2, $3)`, [
        event.eventId,
        body.k,
        body.n,
      ]);
    });

  const effects = async (keys: string[]) =>
    (await direct.query(`SELECT event_id, k, n FROM effects WHERE k = ANY($1) ORDER BY id`, [
      keys,
    ])) as { event_id: string; k: string; n: number }[];

  const dlqSize = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(dlqTopic(topic));
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  };

  const committed = async (groupId: string, topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
    } finally {
      await admin.disconnect();
    }
  };

  it('a 10 s outage of the database under steady load: every event applied once, in order per key, none dead-lettered; a poison message still goes to the DLQ', async () => {
    const topic = `it-${uniqueSuffix()}.outage`;
    await ensureTopics(kafka, [topic], 3);
    const group = `g-${uniqueSuffix()}`;
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => `${k}-${uniqueSuffix()}`);
    const poisonKey = keys[0];
    const consumer = new KafkaEventConsumer(kafka, {
      groupId: group,
      topics: [topic],
      logger,
      maxAttempts: 3,
      backoffMs: 100,
      maxBackoffMs: 2000,
      // a rule the message breaks: an answer about the message, never about the database
      handler: applyHandler('outage-it', (b) =>
        b.n === -1
          ? new AppError('INVALID_ARGUMENT', 'NEGATIVE', 'n must not be negative')
          : undefined,
      ),
    });
    await consumer.start();
    const published: { k: string; n: number; eventId: string }[] = [];
    const next = new Map(keys.map((k) => [k, 0]));
    let load = true;
    // steady load: one event every 50 ms, round-robin over the keys, for the whole test
    const producing = (async () => {
      for (let i = 0; load; i++) {
        const k = keys[i % keys.length];
        const n = next.get(k)!;
        next.set(k, n + 1);
        const m = message(topic, k, n);
        await publisher.publish([m]);
        published.push({ k, n, eventId: m.headers[HEADER.eventId] });
        await sleep(50);
      }
    })();
    try {
      await eventually(async () => ((await effects(keys)).length >= 12 ? true : undefined), {
        what: 'events applied before the outage',
      });
      await proxy.cut();
      const cutAt = Date.now();
      // a poison message published during the outage: its tries are not used up by the outage
      const poison = message(topic, poisonKey, -1);
      await publisher.publish([poison]);
      await eventually(async () => (consumer.waitingOnDependency() > 0 ? true : undefined), {
        what: 'consumer waiting for the database',
      });
      const waitingGauge = await metric('emporia_events_waiting_on_dependency', { group, topic });
      await sleep(10_000 - (Date.now() - cutAt));
      const duringOutage = await effects(keys);
      expect(await dlqSize(topic)).toBe(0); // retried, not dead-lettered
      expect(waitingGauge).toBeGreaterThan(0);
      await proxy.restore();
      await sleep(2000);
      load = false;
      await producing;
      const all = await eventually(
        async () => {
          const rows = await effects(keys);
          return rows.length >= published.length ? rows : undefined;
        },
        { timeoutMs: 60_000, what: 'every event applied after the database returned' },
      );
      // exactly once: as many rows as events, no event twice
      expect(all).toHaveLength(published.length);
      expect(new Set(all.map((r) => r.event_id)).size).toBe(published.length);
      expect(new Set(all.map((r) => r.event_id))).toEqual(new Set(published.map((p) => p.eventId)));
      // in order per key: the partition never moved past a waiting event
      for (const k of keys) {
        const ns = all.filter((r) => r.k === k).map((r) => r.n);
        expect(ns).toEqual([...ns].sort((x, y) => x - y));
        expect(ns).toEqual(ns.map((_, i) => i));
      }
      expect(published.length - duringOutage.length).toBeGreaterThan(30); // the outage held many
      // only the poison message was dead-lettered, after its few tries, and its key flowed on
      await eventually(async () => ((await dlqSize(topic)) === 1 ? true : undefined), {
        what: 'poison message in the DLQ',
      });
      expect(all.some((r) => r.event_id === poison.headers[HEADER.eventId])).toBe(false);
      expect(consumer.waitingOnDependency()).toBe(0);
      expect(await metric('emporia_events_waiting_on_dependency', { group, topic })).toBe(0);
      expect(
        await metric('emporia_event_retries_total', { group, topic, reason: 'unavailable' }),
      ).toBeGreaterThan(0);
      expect(await metric('emporia_events_dead_lettered_total', { group, topic })).toBe(1);
    } finally {
      load = false;
      await producing.catch(() => undefined);
      await consumer.stop();
    }
  });

  it('an unrecognised error while the database is down counts as unavailable (the probe), and as a bug once it is back', async () => {
    const topic = `it-${uniqueSuffix()}.opaque`;
    await ensureTopics(kafka, [topic], 1);
    const group = `g-${uniqueSuffix()}`;
    const k = `k-${uniqueSuffix()}`;
    const inner = applyHandler('opaque-it', (b) =>
      b.n === 2 ? new TypeError("Cannot read properties of undefined (reading 'x')") : undefined,
    );
    const consumer = new KafkaEventConsumer(kafka, {
      groupId: group,
      topics: [topic],
      logger,
      maxAttempts: 2,
      backoffMs: 100,
      maxBackoffMs: 1000,
      // a handler that hides its cause: nothing the built-in rules recognise
      handler: (event) =>
        inner(event).catch(() => Promise.reject(new Error('could not record the event'))),
      probe: () => pingDataSource(viaProxy),
    });
    await consumer.start();
    try {
      await proxy.cut();
      await publisher.publish([message(topic, k, 0), message(topic, k, 1)]);
      await sleep(5000); // many more than maxAttempts failures
      expect(await dlqSize(topic)).toBe(0);
      expect(consumer.waitingOnDependency()).toBe(1);
      await proxy.restore();
      await publisher.publish([message(topic, k, 2), message(topic, k, 3)]);
      // n=2 fails while the database answers: a bug, dead-lettered after 2 tries; 3 follows
      const rows = await eventually(
        async () => {
          const r = await effects([k]);
          return r.length === 3 ? r : undefined;
        },
        { timeoutMs: 30_000, what: 'events applied' },
      );
      expect(rows.map((r) => r.n)).toEqual([0, 1, 3]);
      expect(await dlqSize(topic)).toBe(1);
    } finally {
      await consumer.stop();
    }
  });

  it('stop() during an outage returns promptly, even with a handler hanging on the network; the waiting event is not committed and the next member applies it once', async () => {
    const topic = `it-${uniqueSuffix()}.stop`;
    await ensureTopics(kafka, [topic], 1);
    const group = `g-${uniqueSuffix()}`;
    const k = `k-${uniqueSuffix()}`;
    const make = () =>
      new KafkaEventConsumer(kafka, {
        groupId: group,
        topics: [topic],
        logger,
        backoffMs: 100,
        handler: applyHandler('stop-it'),
      });
    const first = make();
    await first.start();
    await publisher.publish([message(topic, k, 0)]);
    await eventually(async () => ((await effects([k])).length === 1 ? true : undefined), {
      what: 'first event applied',
    });
    // a partition: connections are accepted and never answered (pg waits 5 s to connect)
    await proxy.cut('blackhole');
    await publisher.publish([message(topic, k, 1)]);
    await eventually(async () => (first.waitingOnDependency() > 0 ? true : undefined), {
      what: 'first member waiting',
      timeoutMs: 30_000,
    });
    await sleep(300); // the next try is under way, hanging
    const t0 = Date.now();
    await first.stop();
    const stopMs = Date.now() - t0;
    expect(stopMs).toBeLessThan(4000);
    const offsets = await committed(group, topic);
    expect(offsets.get(0)).toBe(1); // past the applied event, not past the waiting one
    expect(await dlqSize(topic)).toBe(0);

    await proxy.restore();
    const second = make();
    await second.start();
    try {
      const rows = await eventually(
        async () => {
          const r = await effects([k]);
          return r.length === 2 ? r : undefined;
        },
        { timeoutMs: 30_000, what: 'waiting event applied by the next member' },
      );
      expect(rows.map((r) => r.n)).toEqual([0, 1]);
      await eventually(
        async () => ((await committed(group, topic)).get(0) === 2 ? true : undefined),
        {
          what: 'offset committed after the event',
        },
      );
    } finally {
      await second.stop();
    }
  });

  it('a rebalance while partitions wait (a second member joins, the first leaves): every event applied once when the database returns', async () => {
    const topic = `it-${uniqueSuffix()}.rebalance`;
    await ensureTopics(kafka, [topic], 3);
    const group = `g-${uniqueSuffix()}`;
    const keys = keysOnEveryPartition(3, 2);
    const member = () =>
      new KafkaEventConsumer(kafka, {
        groupId: group,
        topics: [topic],
        logger,
        backoffMs: 100,
        maxBackoffMs: 1000,
        handler: applyHandler('rebalance-it'),
      });
    const first = member();
    await first.start();
    const second = member();
    try {
      await proxy.cut();
      const sent = keys.flatMap((k) => [0, 1, 2].map((n) => message(topic, k, n)));
      await publisher.publish(sent);
      await eventually(
        async () => {
          const waiting = first.waitingOnDependency();
          if (waiting >= 2) return true;
          // said if it never comes (seen once in a rehearsal beside the other suites)
          throw new Error(`partitions waiting in the first member: ${waiting}`);
        },
        { timeoutMs: 60_000, what: 'the first member waiting on several partitions' },
      );
      await second.start(); // the group rebalances while partitions are paused
      // each partition waits in one member only: the first forgot what it lost
      await eventually(
        async () => {
          const [a, b] = [first.waitingOnDependency(), second.waitingOnDependency()];
          if (b >= 1 && a + b <= 3) return true;
          // said if it never comes (seen once in CI, never reproduced): which member holds what
          throw new Error(`partitions waiting: the first member ${a}, the second ${b}`);
        },
        // a rebalance waits for each member to rejoin: seconds on a machine the other suites load
        { timeoutMs: 60_000, what: 'the partitions shared out, each waiting in one member' },
      );
      await sleep(1000);
      await first.stop(); // and again: the second member takes every partition
      expect(first.waitingOnDependency()).toBe(0);
      await proxy.restore();
      const rows = await eventually(
        async () => {
          const r = await effects(keys);
          return r.length >= sent.length ? r : undefined;
        },
        { timeoutMs: 60_000, what: 'every event applied after the rebalances' },
      );
      await sleep(1000);
      expect(await effects(keys)).toHaveLength(sent.length);
      expect(new Set(rows.map((r) => r.event_id)).size).toBe(sent.length);
      for (const k of keys)
        expect(rows.filter((r) => r.k === k).map((r) => r.n)).toEqual([0, 1, 2]);
      expect(await dlqSize(topic)).toBe(0);
      expect(second.waitingOnDependency()).toBe(0);
    } finally {
      await first.stop().catch(() => undefined);
      await second.stop();
    }
  });

  it('replays dead letters to their topic for the group that failed them, once; progress survives runs; a dry run changes nothing', async () => {
    const topic = `it-${uniqueSuffix()}.replay`;
    await ensureTopics(kafka, [topic], 3);
    const group = `g-${uniqueSuffix()}`;
    const otherGroup = `other-${uniqueSuffix()}`;
    const keys = ['a', 'b', 'c'].map((k) => `${k}-${uniqueSuffix()}`);
    let broken = true; // a bug: every event is refused until the fix is deployed
    const refuse = () => (broken ? new NonRetriableError('bug: cannot handle') : undefined);
    const consumer = new KafkaEventConsumer(kafka, {
      groupId: group,
      topics: [topic],
      logger,
      handler: applyHandler('replay-it', refuse),
    });
    // another group dead-letters its own copy: not ours to replay
    const other = new KafkaEventConsumer(kafka, {
      groupId: otherGroup,
      topics: [topic],
      logger,
      handler: async () => Promise.reject(new NonRetriableError('other group cannot either')),
    });
    await consumer.start();
    await other.start();
    const events = keys.flatMap((k) => [0, 1].map((n) => message(topic, k, n)));
    await publisher.publish(events);
    await eventually(async () => ((await dlqSize(topic)) === 12 ? true : undefined), {
      what: 'both groups dead-lettered all six events',
    });
    await other.stop();
    broken = false;
    // one of them is delivered again (the producer's retry) and applied now: the replay of
    // its dead letter must not apply it a second time
    await publisher.publish([events[0]]);
    await eventually(async () => ((await effects(keys)).length === 1 ? true : undefined), {
      what: 'the redelivered event applied',
    });

    const seen: ReplayEntry[] = [];
    const dry = await replayDeadLetters(kafka, {
      topic,
      group,
      dryRun: true,
      logger,
      onMessage: (e) => seen.push(e),
    });
    expect(dry).toMatchObject({ replayed: 0, wouldReplay: 6, skipped: 6, left: 0 });
    expect(
      seen
        .filter((e) => e.action === 'would-replay')
        .map((e) => e.eventId)
        .sort(),
    ).toEqual(events.map((e) => e.headers[HEADER.eventId]).sort());
    expect(seen.find((e) => e.action === 'would-replay')).toMatchObject({
      consumerGroup: group,
      error: 'NonRetriableError: bug: cannot handle',
      eventType: 'emporia.test.v1.Counted',
    });
    await sleep(2000);
    expect(await effects(keys)).toHaveLength(1); // nothing published

    const firstRun = await replayDeadLetters(kafka, { topic, group, limit: 2, logger });
    expect(firstRun).toMatchObject({ replayed: 2 });
    expect(firstRun.left).toBeGreaterThan(0);
    const secondRun = await replayDeadLetters(kafka, { topic, group, logger });
    expect(secondRun).toMatchObject({ replayed: 4, left: 0 });
    const rows = await eventually(
      async () => {
        const r = await effects(keys);
        return r.length === 6 ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'replayed events applied' },
    );
    // each event once, though one was delivered three times (original, redelivery, replay)
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(6);
    for (const k of keys) expect(rows.filter((r) => r.k === k).map((r) => r.n)).toEqual([0, 1]);
    // a third run finds nothing new: progress is recorded
    expect(await replayDeadLetters(kafka, { topic, group, logger })).toMatchObject({
      replayed: 0,
      left: 0,
    });
    await sleep(1000);
    expect(await effects(keys)).toHaveLength(6);
    expect(await dlqSize(topic)).toBe(12); // nothing dead-lettered again
    await consumer.stop();
  });
});
