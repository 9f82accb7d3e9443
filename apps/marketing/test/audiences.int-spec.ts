import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { analyticsV1, marketingV1, PROTO_FILES } from '@emporia/contracts';
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
import { marketingConfigSchema } from '../src/config';
import { startMarketing } from '../src/marketing.app';

jest.setTimeout(120_000);

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Marketing answering analytics on real Postgres, Redis and Kafka: audiences and abandoned carts. */
describe('marketing: audiences and cart reminders (real Postgres + Redis + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `mktaud${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'marketing-audiences-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const send = async (topic: string, type: string, key: string, value: Uint8Array, id: string) =>
    producer.send({
      topic: `${prefix}${topic}`,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: id,
            [HEADER.eventType]: type,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  const exported = (m: analyticsV1.AudienceExported, id: string = randomUUID()) =>
    send(
      'analytics.audience',
      'emporia.analytics.v1.AudienceExported',
      m.audienceId,
      analyticsV1.AudienceExported.encode(m).finish(),
      id,
    );
  const abandoned = (accountId: string, id: string = randomUUID()) =>
    send(
      'analytics.cart',
      'emporia.analytics.v1.CartAbandoned',
      accountId,
      analyticsV1.CartAbandoned.encode({
        accountId,
        cartUpdatedAt: new Date(Date.now() - 3_600_000).toISOString(),
        abandonedAt: new Date().toISOString(),
        lines: [],
        subtotal: cny(9900),
      }).finish(),
      id,
    );
  const grants = (source: string, accountId = '') =>
    call<marketingV1.ListAudienceGrantsResponse>('listAudienceGrants', {
      source,
      accountId,
      limit: 1000,
    }).then((r) => r.grants);
  const coupons = (accountId: string) =>
    call<marketingV1.ListCouponsResponse>('listCoupons', { accountId }).then((r) => r.coupons);

  /** A coupon-only promotion and a template of it. */
  const template = async (totalLimit: number, perUserLimit: number) => {
    const promotionId = randomUUID();
    await call('upsertPromotion', {
      promotion: {
        id: promotionId,
        name: 'come back',
        priority: 10,
        exclusive: false,
        scopeKind: 'CART',
        scopeIds: [],
        conditions: [],
        action: { kind: 'AMOUNT_OFF', amount: cny(1000), basisPoints: 0, tiers: [] },
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
        name: '回归券',
        promotionId,
        totalLimit,
        perUserLimit,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validTo: new Date(Date.now() + 3_600_000).toISOString(),
        issued: 0,
      },
    });
    return id;
  };

  beforeAll(async () => {
    db = await createTestDatabase('marketing_audiences_it');
    const config = marketingConfigSchema.parse({
      MARKETING_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `mktaud:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      MARKETING_GRPC_PORT: String(await freePort()),
      MARKETING_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      MARKETING_MIGRATE_ON_START: 'true',
      MARKETING_CONSUMER_GROUP: `marketing-aud-it${suffix}`,
    });
    service = await startMarketing(config, testLogger('marketing'));
    client = grpcTestClient(
      PROTO_FILES.marketing,
      'emporia.marketing.v1.MarketingService',
      service.grpcUrl!,
    );
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    client?.close();
    await producer?.disconnect();
    await service?.close();
    await db?.drop();
  });

  it('gives each account of an exported audience one coupon; redelivery gives none twice', async () => {
    const templateId = await template(3, 1);
    const accounts = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const audienceId = randomUUID();
    const part = (accountIds: string[], n: number): analyticsV1.AudienceExported => ({
      audienceId,
      segment: 'at_risk',
      couponTemplateId: templateId,
      accountIds,
      part: n,
      partCount: 2,
      requestedBy: 'ops',
      exportedAt: new Date().toISOString(),
    });
    const firstId = randomUUID();
    await exported(part(accounts.slice(0, 2), 1), firstId);
    await exported(part(accounts.slice(2), 2));
    // the same event again, and the first part again under a new event id
    await exported(part(accounts.slice(0, 2), 1), firstId);
    await exported(part(accounts.slice(0, 2), 1));
    const got = await eventually(async () => {
      const g = await grants(audienceId);
      return g.length === 4 ? g : undefined;
    });
    await sleep(1500); // the redeliveries, handled by now, added nothing
    expect(await grants(audienceId)).toHaveLength(4);
    const byAccount = new Map(got.map((g) => [g.accountId, g]));
    // the template holds 3 coupons: the fourth account's grant is skipped with the reason
    expect([...byAccount.values()].filter((g) => g.outcome === 'GRANTED')).toHaveLength(3);
    const skipped = got.filter((g) => g.outcome === 'SKIPPED');
    expect(skipped).toEqual([
      expect.objectContaining({ reason: 'COUPON_LIMIT_REACHED', couponCode: '', templateId }),
    ]);
    for (const a of accounts) {
      const owned = await coupons(a);
      const g = byAccount.get(a)!;
      expect(owned.map((c) => c.code)).toEqual(g.outcome === 'GRANTED' ? [g.couponCode] : []);
    }
  });

  it('answers an abandoned cart with one reminder coupon within the cap', async () => {
    expect(
      (await call<marketingV1.GetCartReminderPolicyResponse>('getCartReminderPolicy', {})).policy,
    ).toEqual({ enabled: false, couponTemplateId: '', minIntervalHours: 0 });
    const templateId = await template(100, 5);
    const alice = randomUUID();
    const policy = { enabled: true, couponTemplateId: templateId, minIntervalHours: 24 };
    expect(await call('setCartReminderPolicy', { policy })).toEqual({ policy });
    expect(await call('getCartReminderPolicy', {})).toEqual({ policy });
    await abandoned(alice);
    await abandoned(alice);
    const got = await eventually(async () => {
      const g = await grants('cart-reminder', alice);
      return g.length >= 2 ? g : undefined;
    });
    await sleep(1000);
    expect(await grants('cart-reminder', alice)).toHaveLength(2);
    expect(got.map((g) => [g.outcome, g.reason]).sort()).toEqual([
      ['GRANTED', ''],
      ['SKIPPED', 'FREQUENCY_CAP'],
    ]);
    expect(await coupons(alice)).toHaveLength(1);
  });

  it('refuses a bad policy or listing with a stable code and the field', async () => {
    const templateId = await template(10, 1);
    const set = (policy: Partial<marketingV1.CartReminderPolicy>) =>
      failure(
        call('setCartReminderPolicy', {
          policy: { enabled: true, couponTemplateId: templateId, minIntervalHours: 24, ...policy },
        }),
      );
    expect(await set({ minIntervalHours: 0 })).toMatchObject({
      code: 'POLICY_INVALID',
      details: { field: 'policy.min_interval_hours' },
    });
    expect(await set({ minIntervalHours: 8761 })).toMatchObject({ code: 'POLICY_INVALID' });
    expect(await set({ couponTemplateId: randomUUID() })).toMatchObject({
      code: 'COUPON_TEMPLATE_NOT_FOUND',
    });
    expect(await set({ couponTemplateId: 'nope' })).toMatchObject({
      code: 'ID_INVALID',
      details: { field: 'policy.coupon_template_id' },
    });
    expect(
      await failure(call('listAudienceGrants', { source: 'x', accountId: '', limit: 1 })),
    ).toMatchObject({ code: 'ID_INVALID', details: { field: 'source' } });
    expect(
      await failure(call('listAudienceGrants', { source: '', accountId: '', limit: 1001 })),
    ).toMatchObject({ code: 'LIMIT_INVALID', details: { field: 'limit' } });
  });
});
