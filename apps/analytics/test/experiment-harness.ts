import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import {
  ANALYTICS_BEHAVIOUR,
  ORDER_ORDER,
  PROTO_FILES,
  type analyticsV1,
  type orderV1,
} from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
  grpcFailure,
} from '@emporia/testing';
import { startAnalytics } from '../src/analytics.app';
import { analyticsConfigSchema } from '../src/config';

export const MIN = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/** A behaviour event with every field set (the generated encoder writes what it is given). */
function behaviour(over: Partial<analyticsV1.BehaviourEvent>): analyticsV1.BehaviourEvent {
  return {
    eventId: randomUUID(),
    type: 'page_view',
    anonymousId: '',
    accountId: '',
    sessionId: '',
    occurredAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    channel: 'web',
    utm: { source: '', medium: '', campaign: '', term: '', content: '' },
    referrer: '',
    device: { type: 'desktop', os: '', browser: '' },
    page: '/',
    productId: '',
    skuId: '',
    quantity: 0,
    query: '',
    resultCount: 0,
    bannerId: '',
    experimentKey: '',
    variant: '',
    ...over,
  };
}

/**
 * Analytics in this process on a fresh database, a topic prefix and a consumer group of its
 * own, with what the experiments and recommendations tests publish: behaviour events on
 * `analytics.behaviour` (as the collector does, event id = the event's id) and OrderPlaced /
 * OrderPaid on `order.order` (as the order service does). Call `start` in beforeAll and `stop`
 * in afterAll.
 */
export function experimentHarness(name: string) {
  const suffix = uniqueSuffix();
  const prefix = `${name}${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let admin: Admin;
  const group = `analytics-${name}-it${suffix}`;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: `analytics-${name}-it`,
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;

  const sent: { topic: string; key: string; value: Buffer; headers: Record<string, string> }[] = [];
  async function publish(
    topic: string,
    key: string,
    type: string,
    value: Uint8Array,
    eventId: string = randomUUID(),
  ) {
    const message = {
      topic: `${prefix}${topic}`,
      key,
      value: Buffer.from(value),
      headers: {
        [HEADER.eventId]: eventId,
        [HEADER.eventType]: type,
        [HEADER.occurredAt]: new Date().toISOString(),
      },
    };
    sent.push(message);
    await producer.send({ topic: message.topic, messages: [message] });
    return message;
  }
  const { BehaviourEventReceived } = ANALYTICS_BEHAVIOUR.events;
  const { OrderPlaced, OrderPaid } = ORDER_ORDER.events;
  /** Publishes a behaviour event on analytics.behaviour, its event id the event's own. */
  const track = (over: Partial<analyticsV1.BehaviourEvent>) => {
    const event = behaviour(over);
    return publish(
      ANALYTICS_BEHAVIOUR.name,
      event.anonymousId,
      BehaviourEventReceived.name,
      BehaviourEventReceived.codec.encode({ event }).finish(),
      event.eventId,
    );
  };
  const placed = (orderId: string, accountId: string, products: string[]) => {
    const m: orderV1.OrderPlaced = {
      orderId,
      accountId,
      total: cny(1000 * products.length),
      status: 'PENDING_PAYMENT',
      placedAt: new Date().toISOString(),
      couponCodes: [],
      lines: products.map((productId) => ({
        skuId: randomUUID(),
        productId,
        quantity: 1,
        unitPrice: cny(1000),
        total: cny(1000),
      })),
      channel: 'web',
    };
    return publish(
      ORDER_ORDER.name,
      orderId,
      OrderPlaced.name,
      OrderPlaced.codec.encode(m).finish(),
    );
  };
  const paid = (
    orderId: string,
    accountId: string,
    paidAt: number,
    eventId: string = randomUUID(),
  ) => {
    const m: orderV1.OrderPaid = { orderId, accountId, amountPaid: cny(1000), paidAt: iso(paidAt) };
    return publish(
      ORDER_ORDER.name,
      orderId,
      OrderPaid.name,
      OrderPaid.codec.encode(m).finish(),
      eventId,
    );
  };
  /** Waits until the service's group has committed every message of the topics it was sent. */
  const drained = () =>
    eventually(
      async () => {
        for (const base of [ANALYTICS_BEHAVIOUR.name, ORDER_ORDER.name]) {
          const topic = `${prefix}${base}`;
          const high = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          for (const p of high) {
            const c = committed.partitions.find((x) => x.partition === p.partition);
            if (Number(p.high) > 0 && Number(c?.offset ?? -1) < Number(p.high)) return undefined;
          }
        }
        return true;
      },
      { timeoutMs: 60_000, what: 'the consumer to catch up' },
    );
  /** Sends an already sent message again: the same event id, a new Kafka offset. */
  const redeliver = (m: (typeof sent)[number]) =>
    producer.send({ topic: m.topic, messages: [{ ...m }] });

  const start = async () => {
    db = await createTestDatabase(`analytics_${name}_it`);
    const config = analyticsConfigSchema.parse({
      ANALYTICS_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      ANALYTICS_GRPC_PORT: String(await freePort()),
      ANALYTICS_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      ANALYTICS_MIGRATE_ON_START: 'true',
      ANALYTICS_CONSUMER_GROUP: group,
    });
    service = await startAnalytics(config, testLogger('analytics'));
    client = grpcTestClient(
      PROTO_FILES.analytics,
      'emporia.analytics.v1.AnalyticsService',
      service.grpcUrl!,
    );
    producer = kafka.producer();
    await producer.connect();
    admin = kafka.admin();
    await admin.connect();
  };

  const stop = async () => {
    client?.close();
    await producer?.disconnect();
    await admin?.disconnect();
    await service?.close();
    await db?.drop();
  };

  return {
    suffix,
    start,
    stop,
    dbUrl: () => db.url,
    call,
    failure,
    sent,
    track,
    placed,
    paid,
    drained,
    redeliver,
  };
}
