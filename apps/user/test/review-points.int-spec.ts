import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { PROTO_FILES, REVIEW_REVIEW, reviewV1, userV1 } from '@emporia/contracts';
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
} from '@emporia/testing';
import { userConfigSchema } from '../src/config';
import { startUser } from '../src/user.app';

jest.setTimeout(120_000);

/** Photo-review points (issue 17) from `review.review` on real Postgres and Kafka. */
describe('points for approved photo reviews (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const topic = `it${suffix}.${REVIEW_REVIEW.name}`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let pg: Client;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'review-points-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const membership = async (accountId: string) =>
    (await call<userV1.GetMembershipResponse>('getMembership', { accountId })).membership!;
  const consumed = (eventId: string) =>
    eventually(
      async () =>
        (await pg.query(`SELECT 1 FROM inbox WHERE event_id = $1`, [eventId])).rowCount
          ? true
          : undefined,
      { what: `event ${eventId} consumed` },
    );

  /** A ReviewApproved keyed by its review id (so its deliveries stay in order). */
  const approved = async (
    m: Partial<reviewV1.ReviewApproved> & { reviewId: string; accountId: string },
    eventId: string = randomUUID(),
  ) => {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: m.reviewId,
          value: Buffer.from(
            reviewV1.ReviewApproved.encode({
              productId: randomUUID(),
              skuId: randomUUID(),
              orderId: randomUUID(),
              rating: 5,
              photoCount: 3,
              followUp: false,
              approvedAt: new Date().toISOString(),
              ...m,
            }).finish(),
          ),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: 'emporia.review.v1.ReviewApproved',
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    return eventId;
  };
  const newAccount = async (name: string) =>
    (
      await call<userV1.RegisterResponse>('register', {
        email: `${name}.${suffix}@example.cn`,
        password: 'correct horse battery staple',
      })
    ).account!.id;

  beforeAll(async () => {
    db = await createTestDatabase('review_points_it');
    const config = userConfigSchema.parse({
      USER_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `it:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: `it${suffix}.`,
      USER_CONSUMER_GROUP: `user-it-${suffix}`,
      USER_GRPC_PORT: String(await freePort()),
      USER_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      USER_MIGRATE_ON_START: 'true',
      ARGON2_MEMORY_KIB: '4096',
    });
    service = await startUser(config, testLogger('user'));
    client = grpcTestClient(PROTO_FILES.user, 'emporia.user.v1.UserService', service.grpcUrl!);
    producer = kafka.producer();
    await producer.connect();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  it('grants 20 points exactly once when the approval is delivered twice and re-sent under another event id', async () => {
    const accountId = await newAccount('photos');
    const reviewId = randomUUID();
    const first = await approved({ reviewId, accountId });
    await approved({ reviewId, accountId }, first); // the same message again
    const last = await approved({ reviewId, accountId }); // another event id, same review
    await consumed(last);

    const m = await membership(accountId);
    expect(m.pointsBalance).toBe(20);
    expect(m.lots.map((l) => [l.sourceRef, l.points])).toEqual([[`review:${reviewId}`, 20]]);
    const ledger = (
      await pg.query(`SELECT type, points, ref FROM points_ledger WHERE account_id = $1`, [
        accountId,
      ])
    ).rows;
    expect(ledger).toEqual([{ type: 'EARN', points: '20', ref: `review:${reviewId}` }]);
  });

  it('a follow-up, a review without photos and an unknown account earn nothing', async () => {
    const accountId = await newAccount('nophotos');
    const a = await approved({ reviewId: randomUUID(), accountId, followUp: true });
    const b = await approved({ reviewId: randomUUID(), accountId, photoCount: 0 });
    const stranger = randomUUID();
    const c = await approved({ reviewId: randomUUID(), accountId: stranger });
    for (const e of [a, b, c]) await consumed(e);
    expect((await membership(accountId)).pointsBalance).toBe(0);
    const rows = await pg.query(
      `SELECT count(*)::int AS n FROM points_ledger WHERE account_id = ANY($1::uuid[])`,
      [[accountId, stranger]],
    );
    expect(rows.rows[0].n).toBe(0);
  });
});
