import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { orderV1, PROTO_FILES, userV1 } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import { fromGrpcError, type RunningService } from '@emporia/platform';
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

describe('membership: points and tiers from order events (real Postgres + Kafka)', () => {
  const suffix = uniqueSuffix();
  const topic = `it${suffix}.order.order`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  let pg: Client;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'membership-it',
    logger: testLogger('kafka'),
  });

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const membership = async (accountId: string) =>
    (await call<userV1.GetMembershipResponse>('getMembership', { accountId })).membership!;
  const inbox = async () => Number((await pg.query(`SELECT count(*) FROM inbox`)).rows[0].count);

  const publish = async (
    type: 'OrderPaid' | 'OrderRefunded',
    key: string,
    value: Uint8Array,
    eventId: string = randomUUID(),
  ) => {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: eventId,
            [HEADER.eventType]: `emporia.order.v1.${type}`,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
    return eventId;
  };
  const paid = (accountId: string, orderId: string, amountMinor: number, eventId?: string) =>
    publish(
      'OrderPaid',
      orderId,
      orderV1.OrderPaid.encode({
        orderId,
        accountId,
        amountPaid: { amountMinor, currency: 'CNY' },
        paidAt: new Date().toISOString(),
      }).finish(),
      eventId,
    );

  const newAccount = async (name: string) =>
    (
      await call<userV1.RegisterResponse>('register', {
        email: `${name}.${suffix}@example.cn`,
        password: 'correct horse battery staple',
      })
    ).account!.id;

  beforeAll(async () => {
    db = await createTestDatabase('membership_it');
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

  it('earns points once when the same OrderPaid event is delivered twice', async () => {
    const accountId = await newAccount('points');
    const orderId = randomUUID();
    const eventId = await paid(accountId, orderId, 12_990); // ¥129.90 → 129 points
    await paid(accountId, orderId, 12_990, eventId); // redelivery: same event id
    // ¥1.00 → 1 point. Events are keyed by order, so this one may be handled before or after
    // the first (another partition; the consumer gathers a batch per fetch): wait for both.
    const marker = await paid(accountId, randomUUID(), 100);
    await eventually(
      async () =>
        (
          await pg.query(`SELECT 1 FROM inbox WHERE event_id = ANY($1::uuid[])`, [
            [eventId, marker],
          ])
        ).rowCount === 2
          ? true
          : undefined,
      { what: 'both events consumed' },
    );
    // the redelivery (same event id, same partition, after the first) has been offered by now:
    // give it a moment to be refused by the inbox rather than counted
    await new Promise((r) => setTimeout(r, 1500));

    const m = await membership(accountId);
    expect(m.pointsBalance).toBe(130);
    expect(m.lots.map((l) => [l.sourceRef, l.points])).toEqual(
      expect.arrayContaining([[orderId, 129]]),
    );
    const ledger = (
      await pg.query(
        `SELECT type, points, balance_after FROM points_ledger WHERE account_id = $1 ORDER BY id`,
        [accountId],
      )
    ).rows;
    // two earnings (the redelivery added none), in whichever order they were handled
    expect(ledger.map((l) => [l.type, l.points]).sort()).toEqual([
      ['EARN', '1'],
      ['EARN', '129'],
    ]);
    expect(ledger[ledger.length - 1].balance_after).toBe('130');
    expect(m.rollingSpend).toEqual({ amountMinor: 13_090, currency: 'CNY' });
  });

  const consumed = (eventIds: string[]) =>
    eventually(
      async () =>
        (await pg.query(`SELECT 1 FROM inbox WHERE event_id = ANY($1::uuid[])`, [eventIds]))
          .rowCount === eventIds.length
          ? true
          : undefined,
      { what: `events ${eventIds.join(', ')} consumed` },
    );

  it('counts the same order once when it comes again under another event id (spend and points)', async () => {
    const accountId = await newAccount('resent');
    const orderId = randomUUID();
    await consumed([await paid(accountId, orderId, 25_000)]); // ¥250 → 250 points
    await consumed([await paid(accountId, orderId, 25_000)]); // re-sent: a new event id

    const spend = (
      await pg.query(`SELECT ref, amount_minor FROM member_spend WHERE account_id = $1`, [
        accountId,
      ])
    ).rows;
    expect(spend).toEqual([{ ref: `order:${orderId}`, amount_minor: '25000' }]);
    const ledger = (
      await pg.query(
        `SELECT type, points, balance_after FROM points_ledger WHERE account_id = $1 ORDER BY id`,
        [accountId],
      )
    ).rows;
    expect(ledger).toEqual([{ type: 'EARN', points: '250', balance_after: '250' }]);
    const m = await membership(accountId);
    expect(m.pointsBalance).toBe(250);
    expect(m.rollingSpend).toEqual({ amountMinor: 25_000, currency: 'CNY' });
    expect(m.tierCode).toBe('MEMBER');
  });

  it('evaluates the tier from the 12 months of spend with this order in it, and earns on the lots it has', async () => {
    const accountId = await newAccount('window');
    await consumed([await paid(accountId, randomUUID(), 20_000)]); // ¥200 → 200 points
    // spend from elsewhere: ¥600 within the 12 months, ¥50,000 (PLATINUM alone) 13 months ago
    const monthsAgo = (n: number) => {
      const d = new Date();
      d.setUTCMonth(d.getUTCMonth() - n);
      return d;
    };
    await pg.query(
      `INSERT INTO member_spend (account_id, ref, amount_minor, currency, at)
       VALUES ($1, 'manual:recent', 60000, 'CNY', $2), ($1, 'manual:old', 5000000, 'CNY', $3)`,
      [accountId, monthsAgo(2), monthsAgo(13)],
    );
    expect((await membership(accountId)).tierCode).toBe('MEMBER');

    // ¥200 + ¥600 + ¥300 = ¥1,100 in the window: SILVER (≥ ¥1,000), counting this order's spend
    const orderId = randomUUID();
    await consumed([await paid(accountId, orderId, 30_000)]); // ¥300 → 300 points
    const m = await membership(accountId);
    expect(m.tierCode).toBe('SILVER');
    expect(m.rollingSpend).toEqual({ amountMinor: 110_000, currency: 'CNY' });
    expect(m.pointsBalance).toBe(500);
    const ledger = (
      await pg.query(
        `SELECT type, points, ref, balance_after FROM points_ledger WHERE account_id = $1 ORDER BY id`,
        [accountId],
      )
    ).rows;
    // the earlier lot was read back whole (its 200 points count in the balance after)
    expect(ledger[1]).toEqual({ type: 'EARN', points: '300', ref: orderId, balance_after: '500' });
    expect(ledger).toHaveLength(2);
    const changes = (
      await pg.query(
        `SELECT event_type FROM outbox WHERE message_key = $1 AND event_type LIKE '%TierChanged'`,
        [accountId],
      )
    ).rows;
    expect(changes).toHaveLength(1);
  });

  it('upgrades the tier when rolling spend crosses a threshold and downgrades on a full refund', async () => {
    const accountId = await newAccount('tiers');
    const orderId = randomUUID();
    await paid(accountId, orderId, 150_000); // ¥1,500 → SILVER (≥ ¥1,000)
    await eventually(
      async () => ((await membership(accountId)).tierCode === 'SILVER' ? true : undefined),
      { what: 'upgrade to SILVER' },
    );
    expect((await membership(accountId)).pointsBalance).toBe(1500);

    await publish(
      'OrderRefunded',
      orderId,
      orderV1.OrderRefunded.encode({
        orderId,
        accountId,
        refundId: 'r1',
        amountRefunded: { amountMinor: 150_000, currency: 'CNY' },
        refundedAt: new Date().toISOString(),
        full: true,
      }).finish(),
    );
    await eventually(
      async () => ((await membership(accountId)).tierCode === 'MEMBER' ? true : undefined),
      { what: 'downgrade to MEMBER' },
    );
    expect((await membership(accountId)).pointsBalance).toBe(0);
    const events = (
      await pg.query(
        `SELECT event_type FROM outbox WHERE message_key = $1 AND event_type LIKE '%TierChanged' ORDER BY seq`,
        [accountId],
      )
    ).rows;
    expect(events).toHaveLength(2);
  });

  it('redeems points earliest-expiry first, once per reference, never below zero, and refunds once', async () => {
    const accountId = await newAccount('redeem');
    await paid(accountId, randomUUID(), 50_000); // 500 points
    await eventually(
      async () => ((await membership(accountId)).pointsBalance === 500 ? true : undefined),
      { what: 'points earned' },
    );

    const ref = `order-${randomUUID()}`;
    const r1 = await call<userV1.RedeemPointsResponse>('redeemPoints', {
      accountId,
      points: 200,
      ref,
    });
    const r2 = await call<userV1.RedeemPointsResponse>('redeemPoints', {
      accountId,
      points: 200,
      ref,
    });
    expect([r1.pointsBalance, r2.pointsBalance]).toEqual([300, 300]);
    const tooMuch = await call('redeemPoints', { accountId, points: 301, ref: 'other' }).catch(
      (e: unknown) => fromGrpcError(e),
    );
    expect(tooMuch).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'POINTS_INSUFFICIENT',
    });

    const back = await call<userV1.RefundPointsRedemptionResponse>('refundPointsRedemption', {
      accountId,
      ref,
    });
    const again = await call<userV1.RefundPointsRedemptionResponse>('refundPointsRedemption', {
      accountId,
      ref,
    });
    expect([back.pointsBalance, again.pointsBalance]).toEqual([500, 500]);
  });

  it('acknowledges events for unknown accounts and poison events without stalling', async () => {
    const before = await inbox();
    await paid(randomUUID(), randomUUID(), 1000); // a guest's order
    await publish('OrderPaid', 'k', Buffer.from([0xff, 0x01]));
    const accountId = await newAccount('after');
    await paid(accountId, randomUUID(), 2000);
    await eventually(
      async () => ((await membership(accountId)).pointsBalance === 20 ? true : undefined),
      { what: 'later event applied' },
    );
    expect(await inbox()).toBe(before + 2);
  });
});
