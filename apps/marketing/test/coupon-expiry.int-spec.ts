import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { Client } from 'pg';
import { MARKETING_COUPON, marketingV1, orderV1, PROTO_FILES } from '@emporia/contracts';
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
import { marketingConfigSchema } from '../src/config';
import { startMarketing } from '../src/marketing.app';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The coupon expiry notice on real Postgres, Redis and Kafka: coupons are set up through the
 * service's gRPC API and order events while notices are off (MARKETING_COUPON_EXPIRY_NOTICE_HOURS
 * 0), then two replicas with notices on (24 hours) sweep every 200 ms and publish
 * `CouponExpiring` on `marketing.coupon` through the outbox.
 */
describe('coupon expiry notices (real Postgres + Redis + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `mkce${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  const services: RunningService[] = [];
  let pg: Client;
  let producer: Producer;
  let consumer: Consumer;
  const received: { key: string; type: string; event: marketingV1.CouponExpiring }[] = [];
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'marketing-expiry-it',
    logger: testLogger('kafka'),
  });

  const alice = randomUUID();
  const bob = randomUUID();
  const carol = randomUUID();
  const dave = randomUUID();
  const tomorrow = new Date(Date.now() + 20 * HOUR);
  const nextWeek = new Date(Date.now() + 7 * 24 * HOUR);
  /** The codes: alice's unused, bob's redeemed, carol's reserved (later released), dave's next week. */
  const code: Record<'unused' | 'redeemed' | 'reserved' | 'later', string> = {
    unused: '',
    redeemed: '',
    reserved: '',
    later: '',
  };
  let reservedOrder: string;

  const start = async (noticeHours: number) => {
    const service = await startMarketing(
      marketingConfigSchema.parse({
        MARKETING_DATABASE_URL: db.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_KEY_PREFIX: `mkce:${suffix}:`,
        KAFKA_BROKERS: testEnv.kafkaBrokers(),
        KAFKA_TOPIC_PREFIX: prefix,
        MARKETING_GRPC_PORT: String(await freePort()),
        MARKETING_HTTP_PORT: '0',
        BIND_HOST: '127.0.0.1',
        MARKETING_MIGRATE_ON_START: 'true',
        MARKETING_SWEEP_INTERVAL_MS: '200',
        MARKETING_COUPON_EXPIRY_NOTICE_HOURS: String(noticeHours),
        MARKETING_CONSUMER_GROUP: `marketing-ce${suffix}`,
      }),
      testLogger('marketing'),
    );
    services.push(service);
    return {
      service,
      client: grpcTestClient(
        PROTO_FILES.marketing,
        'emporia.marketing.v1.MarketingService',
        service.grpcUrl!,
      ),
    };
  };
  const action = (over: Partial<marketingV1.PromotionAction>): marketingV1.PromotionAction => ({
    kind: '',
    amount: undefined,
    basisPoints: 0,
    cap: undefined,
    tiers: [],
    every: undefined,
    buy: 0,
    free: 0,
    skuId: '',
    quantity: 0,
    ...over,
  });
  const orderPaid = (orderId: string, accountId: string) =>
    producer.send({
      topic: `${prefix}order.order`,
      acks: -1,
      messages: [
        {
          key: orderId,
          value: Buffer.from(
            orderV1.OrderPaid.encode({
              orderId,
              accountId,
              amountPaid: cny(30000),
              paidAt: new Date().toISOString(),
            }).finish(),
          ),
          headers: {
            [HEADER.eventId]: randomUUID(),
            [HEADER.eventType]: 'emporia.order.v1.OrderPaid',
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  const status = async (c: string) =>
    (
      await pg.query<{ status: string; expiry_noticed_at: Date | null }>(
        `SELECT status, expiry_noticed_at FROM coupons WHERE code = $1`,
        [c],
      )
    ).rows[0];
  const eventsFor = (c: string) => received.filter((r) => r.key === c);

  beforeAll(async () => {
    db = await createTestDatabase('marketing_expiry_it');
    pg = new Client({ connectionString: db.url });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    // set-up with notices off: nothing may be announced while coupons are being prepared
    const setup = await start(0);
    await pg.connect();
    const call = <T>(method: string, req: unknown) => setup.client.call<T>(method, req);
    const template = async (validTo: Date, name: string, a: marketingV1.PromotionAction) => {
      const promotionId = randomUUID();
      await call('upsertPromotion', {
        promotion: {
          id: promotionId,
          name,
          priority: 10,
          exclusive: false,
          scopeKind: 'CART',
          scopeIds: [],
          conditions: [],
          action: a,
          campaignId: '',
          startsAt: '',
          endsAt: '',
          active: true,
          couponOnly: true,
        },
      });
      const id = randomUUID();
      await call('createCouponTemplate', {
        template: {
          id,
          name,
          promotionId,
          totalLimit: 10,
          perUserLimit: 2,
          validFrom: new Date(Date.now() - HOUR).toISOString(),
          validTo: validTo.toISOString(),
          issued: 0,
        },
      });
      return id;
    };
    const soon = await template(
      tomorrow,
      '双12 满减券',
      action({
        kind: 'TIERED_REDUCTION',
        tiers: [{ threshold: cny(30000), off: cny(5000) }],
      }),
    );
    const later = await template(
      nextWeek,
      '周末券',
      action({ kind: 'PERCENT_OFF', basisPoints: 1000 }),
    );
    const claim = async (accountId: string, templateId: string) =>
      (
        await call<marketingV1.ClaimCouponResponse>('claimCoupon', {
          accountId,
          code: '',
          templateId,
        })
      ).coupon!.code;
    code.unused = await claim(alice, soon);
    code.redeemed = await claim(bob, soon);
    code.reserved = await claim(carol, soon);
    code.later = await claim(dave, later);
    // a coupon that is not held by anyone (issued, unclaimed) is never announced
    await call('issueCoupons', { templateId: soon, count: 2 });

    const checkout = async (accountId: string, c: string) => {
      const orderId = randomUUID();
      const res = await call<marketingV1.PriceCartResponse>('priceCart', {
        orderId,
        accountId,
        lines: [
          {
            skuId: randomUUID(),
            productId: randomUUID(),
            categoryPathIds: [],
            quantity: 1,
            unitPrice: cny(30000),
          },
        ],
        couponCodes: [c],
        channel: 'app',
        memberTier: '',
        firstOrder: false,
        flashToken: '',
        groupDealId: '',
        groupId: '',
      });
      expect(res.reservedCouponCodes).toEqual([c]);
      return orderId;
    };
    await orderPaid(await checkout(bob, code.redeemed), bob);
    reservedOrder = await checkout(carol, code.reserved);
    await eventually(
      async () => ((await status(code.redeemed)).status === 'REDEEMED' ? true : undefined),
      { what: "bob's coupon redeemed" },
    );
    setup.client.close();
    await setup.service.close();
    services.splice(0);

    consumer = kafka.consumer({ groupId: `mkce-it-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${MARKETING_COUPON.name}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: message.key?.toString() ?? '',
          type: message.headers?.[HEADER.eventType]?.toString() ?? '',
          event: marketingV1.CouponExpiring.decode(message.value!),
        });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    for (const s of services) await s.close();
    await pg?.end();
    await db?.drop();
  });

  it('announces an unused coupon expiring tomorrow once, across many sweep runs and two replicas', async () => {
    const replicas = [await start(24), await start(24)];
    await eventually(async () => (eventsFor(code.unused).length > 0 ? true : undefined), {
      what: 'CouponExpiring for the coupon expiring tomorrow',
    });
    // many sweep intervals of both replicas later, still one
    await sleep(2_000);
    expect(eventsFor(code.unused)).toHaveLength(1);
    const [e] = eventsFor(code.unused);
    expect(e.type).toBe('emporia.marketing.v1.CouponExpiring');
    expect(e.event).toMatchObject({
      accountId: alice,
      benefit: '满300减50',
      expiresAt: tomorrow.toISOString(),
      coupon: {
        code: code.unused,
        name: '双12 满减券',
        status: 'CLAIMED',
        validTo: tomorrow.toISOString(),
      },
    });
    expect((await status(code.unused)).expiry_noticed_at).toBeInstanceOf(Date);

    // the redeemed, the reserved and next week's coupons were not announced
    expect(eventsFor(code.redeemed)).toEqual([]);
    expect(eventsFor(code.reserved)).toEqual([]);
    expect(eventsFor(code.later)).toEqual([]);
    expect(received.map((r) => r.key)).toEqual([code.unused]);
    expect((await status(code.redeemed)).expiry_noticed_at).toBeNull();
    expect((await status(code.later)).expiry_noticed_at).toBeNull();

    // carol's checkout failed: her coupon is hers again and a later run announces it, once
    await replicas[0].client.call('releaseCoupons', {
      orderId: reservedOrder,
      reason: 'CHECKOUT_FAILED',
    });
    await eventually(async () => (eventsFor(code.reserved).length > 0 ? true : undefined), {
      what: "CouponExpiring for carol's released coupon",
    });
    await sleep(1_000);
    expect(eventsFor(code.reserved)).toHaveLength(1);
    expect(eventsFor(code.reserved)[0].event.accountId).toBe(carol);
    expect(eventsFor(code.unused)).toHaveLength(1);
    expect(
      (
        await pg.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM coupons WHERE expiry_noticed_at IS NOT NULL`,
        )
      ).rows[0].n,
    ).toBe(2);
    for (const r of replicas) r.client.close();
  });
});
