import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Consumer, Kafka } from 'kafkajs';
import { createDataSource, runMigrations } from '@emporia/persistence';
import {
  createTestDatabase,
  eventually,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import {
  appendToOutbox,
  createKafka,
  dlqTopic,
  ensureTopics,
  HEADER,
  idempotentHandler,
  KafkaEventConsumer,
  KafkaPublisher,
  MessagingTables1764000000000,
  OutboxRelay,
  transactionWithOutbox,
  type MessagePublisher,
  type ReceivedEvent,
  type WireMessage,
} from '../src';

jest.setTimeout(120_000);

const logger = testLogger('messaging');

interface Seen {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Collects every message of `topics` from the beginning. */
async function collect(
  kafka: Kafka,
  topics: string[],
): Promise<{ seen: Map<string, Seen[]>; consumer: Consumer }> {
  const seen = new Map<string, Seen[]>(topics.map((t) => [t, []]));
  const consumer = kafka.consumer({ groupId: `collector-${uniqueSuffix()}` });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {}))
        headers[k] = String(Array.isArray(v) ? v[0] : v);
      seen.get(topic)!.push({
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers,
      });
    },
  });
  return { seen, consumer };
}

describe('messaging (real Postgres + Kafka)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let ds: DataSource;
  let kafka: Kafka;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    db = await createTestDatabase('messaging_it');
    ds = await createDataSource({
      url: db.url,
      entities: [],
      migrations: [MessagingTables1764000000000],
    }).initialize();
    await runMigrations(ds);
    kafka = createKafka({
      brokers: testEnv.kafkaBrokers().split(','),
      clientId: 'messaging-it',
      logger,
    });
    publisher = new KafkaPublisher(kafka);
  });

  afterAll(async () => {
    await publisher?.close();
    await ds?.destroy();
    await db?.drop();
  });

  const write = (topic: string, key: string, values: string[]) =>
    ds.transaction((m) =>
      appendToOutbox(
        m,
        values.map((v) => ({
          topic,
          key,
          type: 'emporia.test.v1.Thing',
          payload: Buffer.from(v),
          traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
        })),
      ),
    );

  it('re-publishes rows left pending by a crash between commit and publish, in order, with headers', async () => {
    const topic = `it-${uniqueSuffix()}.outbox`;
    await ensureTopics(kafka, [topic]);
    // The "crashed" process committed its change and outbox rows, and died before any relay ran.
    await write(topic, 'order-1', ['e1', 'e2', 'e3']);
    // A second crash: this relay published, then died before marking the rows sent.
    const crashAfterPublish: MessagePublisher = {
      publish: async (messages: WireMessage[]) => {
        await publisher.publish(messages.slice(0, 1));
        throw new Error('process killed after publishing');
      },
    };
    const crashed = new OutboxRelay(ds, crashAfterPublish, { logger, service: 'it' });
    await expect(crashed.publishBatch()).rejects.toThrow('process killed');
    const pending = await ds.query(
      `SELECT attempts, last_error FROM outbox WHERE topic = $1 ORDER BY seq`,
      [topic],
    );
    expect(pending).toEqual(
      Array(3).fill({ attempts: 1, last_error: 'process killed after publishing' }),
    );

    // A fresh relay (the restarted process) finds them pending and publishes all of them.
    const relay = new OutboxRelay(ds, publisher, { logger, service: 'it', intervalMs: 50 });
    relay.start();
    const { seen, consumer } = await collect(kafka, [topic]);
    try {
      const got = await eventually(
        async () => (seen.get(topic)!.length >= 4 ? seen.get(topic)! : undefined),
        { what: 'republished events' },
      );
      // at-least-once: e1 twice (the crash published it), then the rest in commit order
      expect(got.map((m) => m.value)).toEqual(['e1', 'e1', 'e2', 'e3']);
      expect(got.every((m) => m.key === 'order-1')).toBe(true);
      expect(got[0].headers[HEADER.eventId]).toBe(got[1].headers[HEADER.eventId]);
      expect(new Set(got.map((m) => m.headers[HEADER.eventId])).size).toBe(3);
      expect(got[2].headers).toMatchObject({
        [HEADER.eventType]: 'emporia.test.v1.Thing',
        [HEADER.traceparent]: expect.stringMatching(/^00-a{32}-/),
      });
      expect(Date.parse(got[2].headers[HEADER.occurredAt])).not.toBeNaN();
      await eventually(async () => ((await relay.pendingCount()) === 0 ? true : undefined), {
        what: 'outbox drained',
      });
    } finally {
      await relay.stop();
      await consumer.disconnect();
    }
  });

  /** A publisher that passes everything on and keeps the values of `topic` of each batch. */
  const watch = (topic: string) => {
    const batches: string[][] = [];
    const watching: MessagePublisher = {
      publish: async (messages: WireMessage[]) => {
        const mine = messages.filter((m) => m.topic === topic).map((m) => String(m.value));
        if (mine.length > 0) batches.push(mine);
        await publisher.publish(messages);
      },
    };
    return { batches, watching };
  };

  it('publishes nothing while another relay holds the relay lock, and everything once it is free', async () => {
    const topic = `it-${uniqueSuffix()}.lock`;
    await ensureTopics(kafka, [topic]);
    const { batches, watching } = watch(topic);
    const sent = () => batches.flat();
    const relay = new OutboxRelay(ds, watching, { logger, service: 'it', intervalMs: 600_000 });
    await write(topic, 'k', ['l1', 'l2']);
    // another replica's relay, in the middle of its batch: holds the lock in its transaction
    const other = ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      const [{ locked }] = (await other.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('emporia.outbox.relay')) AS locked`,
      )) as { locked: boolean }[];
      expect(locked).toBe(true);
      // twice: the second run is a prepared statement (libs/persistence), the same answer
      expect(await relay.publishBatch()).toBe(0);
      expect(await relay.publishBatch()).toBe(0);
      expect(sent()).toEqual([]);
    } finally {
      await other.commitTransaction();
      await other.release();
    }
    expect(await relay.drain()).toBeGreaterThanOrEqual(2);
    expect(sent()).toEqual(['l1', 'l2']);
    expect(await relay.pendingCount()).toBe(0);
  });

  it('publishes the commits of one linger window in one batch, each event once, in order', async () => {
    const topic = `it-${uniqueSuffix()}.linger`;
    await ensureTopics(kafka, [topic]);
    const { batches, watching: counting } = watch(topic);
    // the idle timer never fires again during the test: only the nudges move the rows
    const relay = new OutboxRelay(ds, counting, {
      logger,
      service: 'it',
      intervalMs: 600_000,
      lingerMs: 1000,
    });
    relay.start();
    const { seen, consumer } = await collect(kafka, [topic]);
    try {
      // five commits, each nudging the relay as a unit of work does after its commit
      for (const v of ['c1', 'c2', 'c3', 'c4', 'c5']) {
        await transactionWithOutbox(
          ds,
          async () => ({
            result: undefined,
            events: [{ topic, key: 'k', type: 'emporia.test.v1.Thing', payload: Buffer.from(v) }],
          }),
          () => relay.nudge(),
        );
      }
      const got = await eventually(
        async () => (seen.get(topic)!.length >= 5 ? seen.get(topic)! : undefined),
        { what: 'lingered events' },
      );
      expect(got.map((m) => m.value)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
      expect(batches.map((b) => b.length)).toEqual([5]);
    } finally {
      await relay.stop();
      await consumer.disconnect();
    }
  });

  it('finds rows nobody nudged it for (another replica, a crash) with one query per idle pass', async () => {
    const topic = `it-${uniqueSuffix()}.idle`;
    await ensureTopics(kafka, [topic]);
    const relay = new OutboxRelay(ds, publisher, { logger, service: 'it', intervalMs: 100 });
    relay.start();
    const { seen, consumer } = await collect(kafka, [topic]);
    try {
      expect(await relay.anyPending()).toBe(false);
      await write(topic, 'k', ['quiet']);
      const got = await eventually(
        async () => (seen.get(topic)!.length >= 1 ? seen.get(topic)! : undefined),
        { what: 'an event written without a nudge' },
      );
      expect(got.map((m) => m.value)).toEqual(['quiet']);
      await eventually(async () => ((await relay.anyPending()) ? undefined : true), {
        what: 'the row marked published',
      });
    } finally {
      await relay.stop();
      await consumer.disconnect();
    }
  });

  it('keeps rows pending while the broker refuses them, and publishes once it accepts', async () => {
    const topic = `it-${uniqueSuffix()}.down`;
    await ensureTopics(kafka, [topic]);
    await write(topic, 'k', ['x']);
    const down: MessagePublisher = {
      publish: async () => Promise.reject(new Error('broker unavailable')),
    };
    await expect(new OutboxRelay(ds, down, { logger, service: 'it' }).drain()).rejects.toThrow(
      'broker unavailable',
    );
    const [row] = await ds.query(`SELECT published_at, attempts FROM outbox WHERE topic = $1`, [
      topic,
    ]);
    expect(row).toEqual({ published_at: null, attempts: 1 });
    expect(
      await new OutboxRelay(ds, publisher, { logger, service: 'it' }).drain(),
    ).toBeGreaterThanOrEqual(1);
    const [after] = await ds.query(`SELECT published_at FROM outbox WHERE topic = $1`, [topic]);
    expect(after.published_at).not.toBeNull();
  });

  it('retries a failing handler with backoff, dead-letters a poison message, and keeps the partition flowing', async () => {
    const topic = `it-${uniqueSuffix()}.consume`;
    await ensureTopics(kafka, [topic], 1);
    const handled: string[] = [];
    const attempts = new Map<string, number>();
    const consumer = new KafkaEventConsumer(kafka, {
      groupId: `g-${uniqueSuffix()}`,
      topics: [topic],
      logger,
      maxAttempts: 3,
      backoffMs: 20,
      handler: async (event: ReceivedEvent) => {
        const body = event.value.toString();
        attempts.set(body, (attempts.get(body) ?? 0) + 1);
        if (body === 'poison') throw new Error('cannot handle poison');
        if (body === 'flaky' && attempts.get(body)! < 3) throw new Error('transient');
        handled.push(body);
      },
    });
    const headers = (type = 'emporia.test.v1.Thing') => ({
      [HEADER.eventId]: randomUUID(),
      [HEADER.eventType]: type,
      [HEADER.occurredAt]: new Date().toISOString(),
    });
    await publisher.publish([
      { topic, key: 'k', value: Buffer.from('first'), headers: headers() },
      { topic, key: 'k', value: Buffer.from('poison'), headers: headers() },
      { topic, key: 'k', value: Buffer.from('no headers at all'), headers: {} },
      { topic, key: 'k', value: Buffer.from('flaky'), headers: headers() },
      { topic, key: 'k', value: Buffer.from('last'), headers: headers() },
    ]);
    const { seen, consumer: dlqReader } = await collect(kafka, [dlqTopic(topic)]);
    await consumer.start();
    try {
      await eventually(async () => (handled.includes('last') ? true : undefined), {
        what: 'partition to flow past the poison message',
      });
      expect(handled).toEqual(['first', 'flaky', 'last']);
      expect(attempts.get('poison')).toBe(3);
      expect(attempts.get('flaky')).toBe(3);
      expect(attempts.has('no headers at all')).toBe(false);
      const dead = await eventually(
        async () =>
          seen.get(dlqTopic(topic))!.length >= 2 ? seen.get(dlqTopic(topic))! : undefined,
        { what: 'DLQ messages' },
      );
      expect(dead.map((m) => m.value)).toEqual(['poison', 'no headers at all']);
      expect(dead[0].headers).toMatchObject({
        'dlq-error': 'Error: cannot handle poison',
        'dlq-original-topic': topic,
        'dlq-attempts': '3',
      });
      expect(dead[1].headers['dlq-error']).toMatch(
        /NonRetriableError: message lacks a valid event-id/,
      );
    } finally {
      await consumer.stop();
      await dlqReader.disconnect();
    }
  });

  it('applies an event once when it is delivered twice, even concurrently (inbox)', async () => {
    await ds.query(
      `CREATE TABLE IF NOT EXISTS effects (id serial PRIMARY KEY, event_id uuid NOT NULL)`,
    );
    const handler = idempotentHandler(ds, 'it-consumer', async (event, manager) => {
      await manager.query(`INSERT INTO effects (event_id) VALUES ($1)`, [event.eventId]);
    });
    const event: ReceivedEvent = {
      topic: 't',
      key: 'k',
      value: Buffer.from('v'),
      headers: {},
      eventId: randomUUID(),
      eventType: 'emporia.test.v1.Thing',
      occurredAt: new Date().toISOString(),
      partition: 0,
      offset: '7',
    };
    await Promise.all([handler(event), handler(event)]);
    await handler({ ...event, offset: '8' });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM effects WHERE event_id = $1`, [
      event.eventId,
    ]);
    expect(n).toBe(1);
    // a failed effect leaves no inbox row, so the retry applies it
    const failing = idempotentHandler(ds, 'it-consumer', async () =>
      Promise.reject(new Error('boom')),
    );
    const other = { ...event, eventId: randomUUID() };
    await expect(failing(other)).rejects.toThrow('boom');
    await handler(other);
    const [{ m }] = await ds.query(`SELECT count(*)::int AS m FROM effects WHERE event_id = $1`, [
      other.eventId,
    ]);
    expect(m).toBe(1);
  });
});
