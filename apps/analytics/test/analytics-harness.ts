import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { Client } from 'pg';
import { ANALYTICS_CART, PROTO_FILES, type EventType } from '@emporia/contracts';
import { createKafka, HEADER, newEvent, toWireMessage } from '@emporia/messaging';
import { fromGrpcError, type RemoteError, type RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import { startAnalytics } from '../src/analytics.app';
import { analyticsConfigSchema } from '../src/config';

export const TZ = 'Asia/Shanghai';
export const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
export const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/**
 * The analytics service in-process on a fresh database with its own topic prefix and consumer
 * group, a gRPC client, a producer that publishes as the owning services would, a reader of
 * `analytics.cart`, and SQL access to check stored facts. Registers its own beforeAll/afterAll.
 */
export function analyticsHarness(name: string) {
  const suffix = uniqueSuffix();
  const prefix = `${name}${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let pg: Client;
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let cartConsumer: Consumer;
  const abandoned: { key: string; eventId: string; accountId: string }[] = [];
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: `${name}-it`,
    logger: testLogger('kafka'),
  });

  beforeAll(async () => {
    db = await createTestDatabase(`${name}_it`);
    const config = analyticsConfigSchema.parse({
      ANALYTICS_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      ANALYTICS_GRPC_PORT: String(await freePort()),
      ANALYTICS_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      ANALYTICS_MIGRATE_ON_START: 'true',
      ANALYTICS_CONSUMER_GROUP: `${name}-it${suffix}`,
      ANALYTICS_TIME_ZONE: TZ,
      ANALYTICS_MAX_BATCH: '10',
      ANALYTICS_PARTITION_SWEEP_MS: '300',
      ANALYTICS_CART_SWEEP_MS: '300',
      OUTBOX_POLL_MS: '100',
    });
    service = await startAnalytics(config, testLogger('analytics'));
    client = grpcTestClient(
      PROTO_FILES.analytics,
      'emporia.analytics.v1.AnalyticsService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    producer = kafka.producer();
    await producer.connect();
    cartConsumer = kafka.consumer({ groupId: `${name}-it-cart${suffix}` });
    await cartConsumer.connect();
    await cartConsumer.subscribe({ topic: `${prefix}${ANALYTICS_CART.name}`, fromBeginning: true });
    await cartConsumer.run({
      eachMessage: async ({ message }) => {
        const m = ANALYTICS_CART.events.CartAbandoned.codec.decode(message.value!);
        abandoned.push({
          key: message.key!.toString(),
          eventId: message.headers![HEADER.eventId]!.toString(),
          accountId: m.accountId,
        });
      },
    });
  });

  afterAll(async () => {
    client?.close();
    await cartConsumer?.disconnect();
    await producer?.disconnect();
    await service?.close();
    await pg?.end();
    await db?.drop();
  });

  return {
    suffix,
    /** CartAbandoned events read from `analytics.cart`, in arrival order. */
    abandoned,
    call: <T>(method: string, req: unknown) => client.call<T>(method, req),
    failure: (p: Promise<unknown>): Promise<RemoteError> =>
      p.then(
        () => {
          throw new Error('expected the call to fail');
        },
        (e: unknown) => fromGrpcError(e),
      ),
    /** Publishes an event as its owning service would (registry type, standard headers). */
    publish: async <T>(type: EventType<T>, key: string, message: T, eventId = randomUUID()) => {
      const wire = toWireMessage(
        newEvent(type, `${prefix}${type.topic}`, key, message, { eventId }),
      );
      await producer.send({
        topic: wire.topic,
        messages: [{ key: wire.key, value: wire.value, headers: wire.headers }],
      });
    },
    count: async (sqlText: string, params: unknown[] = []) =>
      Number((await pg.query<{ n: string }>(sqlText, params)).rows[0].n),
    query: <R extends object>(sqlText: string, params: unknown[] = []) =>
      pg.query<R>(sqlText, params).then((r) => r.rows),
  };
}
