import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { Client } from 'pg';
import { marketingV1, orderV1, PROTO_FILES } from '@emporia/contracts';
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

/** The marketing service on real Postgres, Redis and Kafka, driven over gRPC and by order events. */
describe('marketing service (real Postgres + Redis + Kafka)', () => {
  const suffix = uniqueSuffix();
  const prefix = `mkt${suffix}.`;
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let producer: Producer;
  let consumer: Consumer;
  const groupEvents: { type: string; groupId: string; orderIds: string[]; reason: string }[] = [];
  const flashEvents: {
    type: string;
    key: string;
    eventId: string;
    event: marketingV1.FlashSaleScheduled;
  }[] = [];
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'marketing-it',
    logger: testLogger('kafka'),
  });

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = grpcFailure;
  const orderEvent = async (
    type: 'OrderPaid' | 'OrderCancelled' | 'OrderPlaced',
    orderId: string,
    accountId: string,
    eventId: string = randomUUID(),
  ) => {
    const value =
      type === 'OrderPaid'
        ? orderV1.OrderPaid.encode({
            orderId,
            accountId,
            amountPaid: cny(100),
            paidAt: new Date().toISOString(),
          }).finish()
        : type === 'OrderCancelled'
          ? orderV1.OrderCancelled.encode({
              orderId,
              accountId,
              reason: 'PAYMENT_DEADLINE',
              cancelledAt: new Date().toISOString(),
              couponCodes: [],
            }).finish()
          : orderV1.OrderPlaced.encode({
              orderId,
              accountId,
              total: cny(100),
              status: 'PENDING_PAYMENT',
              placedAt: new Date().toISOString(),
              couponCodes: [],
              lines: [],
              channel: '',
            }).finish();
    await producer.send({
      topic: `${prefix}order.order`,
      acks: -1,
      messages: [
        {
          key: orderId,
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
  const line = (skuId: string, unit: number, quantity = 1) => ({
    skuId,
    productId: randomUUID(),
    categoryPathIds: [],
    quantity,
    unitPrice: cny(unit),
  });
  const price = (req: Partial<marketingV1.PriceCartRequest>) =>
    call<marketingV1.PriceCartResponse>('priceCart', {
      orderId: randomUUID(),
      accountId: randomUUID(),
      lines: [],
      couponCodes: [],
      channel: 'app',
      memberTier: '',
      firstOrder: false,
      flashToken: '',
      groupDealId: '',
      groupId: '',
      ...req,
    });
  const one = async (sql: string, params: unknown[]) => (await pg.query(sql, params)).rows[0];
  const couponStatus = async (code: string) =>
    (await one(`SELECT status, order_id FROM coupons WHERE code = $1`, [code])) as {
      status: string;
      order_id: string | null;
    };
  const promotion = (over: Partial<marketingV1.Promotion>): marketingV1.Promotion => ({
    id: randomUUID(),
    name: 'promo',
    priority: 10,
    exclusive: false,
    scopeKind: 'CART',
    scopeIds: [],
    conditions: [],
    action: undefined,
    campaignId: '',
    startsAt: '',
    endsAt: '',
    active: true,
    couponOnly: false,
    ...over,
  });
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

  beforeAll(async () => {
    db = await createTestDatabase('marketing_it');
    const config = marketingConfigSchema.parse({
      MARKETING_DATABASE_URL: db.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_KEY_PREFIX: `mkt:${suffix}:`,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      MARKETING_GRPC_PORT: String(await freePort()),
      MARKETING_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      MARKETING_MIGRATE_ON_START: 'true',
      FLASH_TOKEN_TTL_SECONDS: '5',
      MARKETING_SWEEP_INTERVAL_MS: '200',
      // a group of its own: the default 'marketing' is shared with every other one on this Kafka
      MARKETING_CONSUMER_GROUP: `marketing-it${suffix}`,
    });
    service = await startMarketing(config, testLogger('marketing'));
    client = grpcTestClient(
      PROTO_FILES.marketing,
      'emporia.marketing.v1.MarketingService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer = kafka.consumer({ groupId: `mkt-it-${suffix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}marketing.group-buy`, fromBeginning: true });
    await consumer.subscribe({ topic: `${prefix}marketing.flash-sale`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const type = message.headers?.[HEADER.eventType]?.toString() ?? '';
        if (topic === `${prefix}marketing.flash-sale`) {
          flashEvents.push({
            type,
            key: message.key?.toString() ?? '',
            eventId: message.headers?.[HEADER.eventId]?.toString() ?? '',
            event: marketingV1.FlashSaleScheduled.decode(message.value!),
          });
        } else if (type.endsWith('GroupBuySucceeded')) {
          const m = marketingV1.GroupBuySucceeded.decode(message.value!);
          groupEvents.push({
            type: 'SUCCEEDED',
            groupId: m.groupId,
            orderIds: m.orderIds,
            reason: '',
          });
        } else if (type.endsWith('GroupBuyFailed')) {
          const m = marketingV1.GroupBuyFailed.decode(message.value!);
          groupEvents.push({
            type: 'FAILED',
            groupId: m.groupId,
            orderIds: m.orderIds,
            reason: m.reason,
          });
        }
      },
    });
  });

  afterAll(async () => {
    client?.close();
    await consumer?.disconnect();
    await producer?.disconnect();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  describe('promotions and campaigns', () => {
    it('a campaign switches its promotion on at its start, and PriceCart explains every line', async () => {
      const campaignId = randomUUID();
      const startsAt = new Date(Date.now() + 1500);
      await call('upsertCampaign', {
        campaign: {
          id: campaignId,
          name: '双11',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          active: true,
        },
      });
      await call('upsertPromotion', {
        promotion: promotion({
          name: '满300减50',
          campaignId,
          action: action({
            kind: 'TIERED_REDUCTION',
            tiers: [
              { threshold: cny(30000), off: cny(5000) },
              { threshold: cny(50000), off: cny(10000) },
            ],
          }),
        }),
      });
      const sku = [randomUUID(), randomUUID()];
      const cart = { lines: [line(sku[0], 20000), line(sku[1], 13333)] };
      const before = await price(cart);
      expect(before.discount!.amountMinor).toBe(0);
      await sleep(startsAt.getTime() - Date.now() + 50);
      const during = await price(cart);
      expect(during.discount!.amountMinor).toBe(5000);
      expect(during.total!.amountMinor).toBe(33333 - 5000);
      expect(during.lines.map((l) => l.discount!.amountMinor)).toEqual([3000, 2000]);
      expect(during.explanation).toEqual(['满300减50: −50.00 CNY']);
      // pausing the campaign stops it at once
      await call('upsertCampaign', {
        campaign: {
          id: campaignId,
          name: '双11',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          active: false,
        },
      });
      expect((await price(cart)).discount!.amountMinor).toBe(0);
    });

    it("prices by the buyer's recorded tier and first order (read with the promotions)", async () => {
      const [tierSku, firstSku] = [randomUUID(), randomUUID()];
      await call('upsertPromotion', {
        promotion: promotion({
          name: 'gold ¥10 off',
          scopeKind: 'SKUS',
          scopeIds: [tierSku],
          conditions: [
            { kind: 'MEMBER_TIER', amount: undefined, values: ['GOLD'], from: '', to: '' },
          ],
          action: action({ kind: 'AMOUNT_OFF', amount: cny(1000) }),
        }),
      });
      await call('upsertPromotion', {
        promotion: promotion({
          name: 'first order ¥5 off',
          scopeKind: 'SKUS',
          scopeIds: [firstSku],
          conditions: [{ kind: 'FIRST_ORDER', amount: undefined, values: [], from: '', to: '' }],
          action: action({ kind: 'AMOUNT_OFF', amount: cny(500) }),
        }),
      });
      const [gold, returning, unknown] = [randomUUID(), randomUUID(), randomUUID()];
      await pg.query(
        `INSERT INTO customer_facts (account_id, tier, orders_placed) VALUES ($1, 'GOLD', 0), ($2, '', 3)`,
        [gold, returning],
      );
      const off = async (accountId: string, skuId: string) =>
        (await price({ accountId, lines: [line(skuId, 5000)] })).discount!.amountMinor;
      expect(await off(gold, tierSku)).toBe(1000);
      expect(await off(returning, tierSku)).toBe(0);
      expect(await off(unknown, tierSku)).toBe(0);
      // no facts recorded, or none placed yet: a first order
      expect(await off(unknown, firstSku)).toBe(500);
      expect(await off(gold, firstSku)).toBe(500);
      expect(await off(returning, firstSku)).toBe(0);
    });

    it('refuses a bad promotion with a stable code, and saves nothing', async () => {
      const id = randomUUID();
      const e = await failure(
        call('upsertPromotion', {
          promotion: promotion({
            id,
            action: action({ kind: 'PERCENT_OFF', basisPoints: 20_000 }),
          }),
        }),
      );
      expect(e.code).toBe('PROMOTION_INVALID');
      expect(await one(`SELECT count(*)::int AS n FROM promotions WHERE id = $1`, [id])).toEqual({
        n: 0,
      });
      expect(
        (
          await failure(
            call('upsertPromotion', {
              promotion: promotion({ id, action: action({ kind: 'MAGIC' }) }),
            }),
          )
        ).code,
      ).toBe('PROMOTION_INVALID');
      // money is in an ISO 4217 currency: not BTC, not XXX ("no currency")
      for (const currency of ['BTC', 'XXX']) {
        const off = await failure(
          call('upsertPromotion', {
            promotion: promotion({
              id,
              action: action({ kind: 'AMOUNT_OFF', amount: { amountMinor: 500, currency } }),
            }),
          }),
        );
        expect([off.code, off.message]).toEqual([
          'MONEY_INVALID',
          expect.stringContaining(currency),
        ]);
      }
      expect(await one(`SELECT count(*)::int AS n FROM promotions WHERE id = $1`, [id])).toEqual({
        n: 0,
      });
    });
  });

  describe('coupons', () => {
    const alice = randomUUID();
    const bob = randomUUID();
    let templateId: string;
    let codes: string[];

    beforeAll(async () => {
      const promotionId = randomUUID();
      await call('upsertPromotion', {
        promotion: promotion({
          id: promotionId,
          name: '10 off',
          couponOnly: true,
          conditions: [{ kind: 'MIN_SUBTOTAL', amount: cny(5000), values: [], from: '', to: '' }],
          action: action({ kind: 'AMOUNT_OFF', amount: cny(1000) }),
        }),
      });
      templateId = randomUUID();
      await call('createCouponTemplate', {
        template: {
          id: templateId,
          name: '新人券',
          promotionId,
          totalLimit: 4,
          perUserLimit: 2,
          validFrom: new Date(Date.now() - 60_000).toISOString(),
          validTo: new Date(Date.now() + 3_600_000).toISOString(),
          issued: 0,
        },
      });
      codes = (
        await call<marketingV1.IssueCouponsResponse>('issueCoupons', { templateId, count: 3 })
      ).codes;
    });

    it('issues within the total limit and claims within the per-user limit', async () => {
      expect(codes).toHaveLength(3);
      expect((await failure(call('issueCoupons', { templateId, count: 2 }))).code).toBe(
        'COUPON_LIMIT_REACHED',
      );
      await call('claimCoupon', { accountId: alice, code: codes[0].toLowerCase(), templateId: '' });
      // claiming twice is one claim; someone else's coupon is refused
      await call('claimCoupon', { accountId: alice, code: codes[0], templateId: '' });
      expect(
        (await failure(call('claimCoupon', { accountId: bob, code: codes[0], templateId: '' })))
          .code,
      ).toBe('COUPON_TAKEN');
      // a new coupon of the template (领券) is the 4th and last
      await call('claimCoupon', { accountId: alice, code: '', templateId });
      expect(
        (await failure(call('claimCoupon', { accountId: alice, code: codes[1], templateId: '' })))
          .code,
      ).toBe('COUPON_USER_LIMIT');
      expect(
        (await failure(call('claimCoupon', { accountId: bob, code: '', templateId }))).code,
      ).toBe('COUPON_LIMIT_REACHED');
      // a typo is caught by the check character
      const typo = codes[2].slice(0, 3) + (codes[2][3] === 'A' ? 'B' : 'A') + codes[2].slice(4);
      expect(
        (await failure(call('claimCoupon', { accountId: bob, code: typo, templateId: '' }))).code,
      ).toBe('COUPON_CODE_INVALID');
    });

    it('reserves for one order, returns on a failed checkout, redeems once when paid', async () => {
      const code = codes[0];
      const cart = { accountId: alice, lines: [line(randomUUID(), 6000)], couponCodes: [code] };
      const o1 = randomUUID();
      const r1 = await price({ ...cart, orderId: o1 });
      expect(r1.total!.amountMinor).toBe(5000);
      expect(r1.reservedCouponCodes).toEqual([code]);
      expect(await couponStatus(code)).toEqual({ status: 'RESERVED', order_id: o1 });
      // pricing the same order again is the same answer; another order cannot take it
      expect((await price({ ...cart, orderId: o1 })).total!.amountMinor).toBe(5000);
      expect((await failure(price({ ...cart, orderId: randomUUID() }))).code).toBe('COUPON_IN_USE');
      // bob cannot use alice's coupon
      expect((await failure(price({ ...cart, accountId: bob, orderId: randomUUID() }))).code).toBe(
        'COUPON_NOT_OWNED',
      );
      // the checkout failed: released, twice is fine
      await call('releaseCoupons', { orderId: o1, reason: 'CHECKOUT_FAILED' });
      await call('releaseCoupons', { orderId: o1, reason: 'CHECKOUT_FAILED' });
      expect(await couponStatus(code)).toEqual({ status: 'CLAIMED', order_id: null });

      // below the coupon's threshold it is not used and not reserved
      const small = await price({
        ...cart,
        lines: [line(randomUUID(), 4000)],
        orderId: randomUUID(),
      });
      expect(small.discount!.amountMinor).toBe(0);
      expect(small.reservedCouponCodes).toEqual([]);
      expect(small.explanation.join(' ')).toMatch(/conditions are not met/);

      const o2 = randomUUID();
      await price({ ...cart, orderId: o2 });
      const eventId = await orderEvent('OrderPaid', o2, alice);
      await orderEvent('OrderPaid', o2, alice, eventId); // redelivered
      await eventually(async () => {
        const s = await couponStatus(code);
        return s.status === 'REDEEMED' ? s : undefined;
      });
      // a cancel after payment (refund path) does not give a used coupon back
      await orderEvent('OrderCancelled', o2, alice);
      await sleep(500);
      expect(await couponStatus(code)).toEqual({ status: 'REDEEMED', order_id: o2 });
      expect(
        await one(`SELECT count(*)::int AS n FROM inbox WHERE event_id = $1`, [eventId]),
      ).toEqual({ n: 1 });
    });

    it('an order cancelled before payment gives the coupon back', async () => {
      const mine = (
        await call<marketingV1.ListCouponsResponse>('listCoupons', { accountId: alice })
      ).coupons;
      const code = mine.find((c) => c.status === 'CLAIMED')!.code;
      const o = randomUUID();
      await price({
        accountId: alice,
        orderId: o,
        lines: [line(randomUUID(), 9000)],
        couponCodes: [code],
      });
      expect((await couponStatus(code)).status).toBe('RESERVED');
      await orderEvent('OrderCancelled', o, alice);
      await eventually(async () =>
        (await couponStatus(code)).status === 'CLAIMED' ? true : undefined,
      );
    });
  });

  describe('flash sales', () => {
    const skuId = randomUUID();
    const saleId = randomUUID();
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();

    beforeAll(async () => {
      await call('createFlashSale', {
        sale: { id: saleId, skuId, price: cny(9900), stock: 5, perUserLimit: 1, startsAt, endsAt },
      });
    });

    /** A sample of the service's /metrics, by series (`name{labels}`). */
    const scrape = async () => {
      const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
      const series = new Map<string, number>();
      for (const l of text.split('\n'))
        if (l.startsWith('emporia_flash_')) series.set(l.split(' ')[0], Number(l.split(' ')[1]));
      return series;
    };
    const attemptsBy = (m: Map<string, number>, outcome: string) =>
      m.get(`emporia_flash_sale_attempts_total{outcome="${outcome}"}`) ?? 0;

    it('metrics: live sales and their units read on each scrape; each attempt counted once by outcome, alone or batched', async () => {
      // before anything is attempted: the sale of beforeAll is the only one
      const before = await scrape();
      expect(before.get('emporia_flash_sales_live')).toBe(1);
      expect(before.get('emporia_flash_sale_remaining_units')).toBe(5);
      const sale = (over: object) =>
        call('createFlashSale', {
          sale: { skuId: randomUUID(), price: cny(100), perUserLimit: 1, ...over },
        });
      const live = randomUUID();
      await sale({ id: live, stock: 4, startsAt, endsAt });
      const later = randomUUID();
      await sale({
        id: later,
        stock: 50,
        startsAt: new Date(Date.now() + 3_600_000).toISOString(),
        endsAt: new Date(Date.now() + 7_200_000).toISOString(),
      });
      // read again on this scrape: nothing is cached between scrapes
      const created = await scrape();
      expect(created.get('emporia_flash_sales_live')).toBe(2);
      expect(created.get('emporia_flash_sale_remaining_units')).toBe(9);

      const [b1, b2, b3, b4, b5] = Array.from({ length: 5 }, () => randomUUID());
      const one = (saleId: string, accountId: string) =>
        call<marketingV1.AttemptFlashPurchaseResponse>('attemptFlashPurchase', {
          saleId,
          accountId,
          quantity: 1,
        });
      expect((await one(live, b1)).result).toBe('WON');
      expect((await one(live, b1)).result).toBe('LIMIT_REACHED');
      expect((await one(later, b1)).result).toBe('NOT_STARTED');
      const { results } = await call<marketingV1.TryFlashPurchasesResponse>('tryFlashPurchases', {
        attempts: [b2, b3, b4, b5, b1].map((accountId) => ({
          saleId: live,
          accountId,
          quantity: 1,
        })),
      });
      expect(results.map((r) => r.result)).toEqual([
        'WON',
        'WON',
        'WON',
        'SOLD_OUT',
        'LIMIT_REACHED',
      ]);
      // an attempt on no sale is a failure, not an attempt decided
      expect((await failure(one(randomUUID(), b1))).code).toBe('FLASH_SALE_NOT_FOUND');
      const after = await scrape();
      expect(after.get('emporia_flash_sale_remaining_units')).toBe(5);
      expect(
        Object.fromEntries(
          ['won', 'sold_out', 'limit', 'rejected'].map((o) => [
            o,
            attemptsBy(after, o) - attemptsBy(created, o),
          ]),
        ),
      ).toEqual({ won: 4, sold_out: 1, limit: 2, rejected: 1 });
    });

    it('creating a sale publishes exactly one FlashSaleScheduled on marketing.flash-sale', async () => {
      const ofSale = (id: string) => flashEvents.filter((e) => e.key === id);
      const [published] = await eventually(async () =>
        ofSale(saleId).length > 0 ? ofSale(saleId) : undefined,
      );
      expect(published.type).toBe('emporia.marketing.v1.FlashSaleScheduled');
      expect(published.event).toEqual({
        sale: {
          id: saleId,
          skuId,
          price: cny(9900),
          stock: 5,
          perUserLimit: 1,
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(endsAt).toISOString(),
        },
        productId: '', // marketing knows only the SKU
      });
      // the same id again is refused and announces nothing; a refused sale announces nothing
      expect(
        (
          await failure(
            call('createFlashSale', {
              sale: {
                id: saleId,
                skuId,
                price: cny(1),
                stock: 1,
                perUserLimit: 1,
                startsAt,
                endsAt,
              },
            }),
          )
        ).code,
      ).toBe('FLASH_SALE_EXISTS');
      const refused = randomUUID();
      expect(
        (
          await failure(
            call('createFlashSale', {
              sale: {
                id: refused,
                skuId,
                price: cny(1),
                stock: 0,
                perUserLimit: 1,
                startsAt,
                endsAt,
              },
            }),
          )
        ).code,
      ).toBe('FLASH_SALE_INVALID');
      await sleep(1500);
      expect(ofSale(saleId)).toHaveLength(1);
      expect(ofSale(refused)).toHaveLength(0);
      expect(
        await one(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`, [saleId]),
      ).toEqual({ n: 1 });
    });

    it('many buyers at once: exactly the stock wins, all recorded, Redis and the database agree', async () => {
      const buyers = Array.from({ length: 20 }, () => randomUUID());
      const attempts = await Promise.all(
        [...buyers, ...buyers.slice(0, 10)].map((accountId) =>
          call<marketingV1.AttemptFlashPurchaseResponse>('attemptFlashPurchase', {
            saleId,
            accountId,
            quantity: 1,
          }),
        ),
      );
      const results = attempts.map((a) => a.result);
      expect(results.filter((r) => r === 'WON')).toHaveLength(5);
      expect(
        results.filter((r) => r !== 'WON' && r !== 'SOLD_OUT' && r !== 'LIMIT_REACHED'),
      ).toEqual([]);
      const sale = await call<marketingV1.GetFlashSaleResponse>('getFlashSale', { saleId });
      expect(sale.reconciliation).toEqual({ redisRemaining: 0, held: 5, paid: 0, drift: 0 });
      expect(
        await one(
          `SELECT count(*)::int AS n FROM flash_purchases WHERE sale_id = $1 AND status = 'WON'`,
          [saleId],
        ),
      ).toEqual({ n: 5 });
    });

    it('TryFlashPurchases decides each attempt of a batch as alone, results in order, every win recorded', async () => {
      const sid = randomUUID();
      await call('createFlashSale', {
        sale: {
          id: sid,
          skuId: randomUUID(),
          price: cny(100),
          stock: 3,
          perUserLimit: 1,
          startsAt,
          endsAt,
        },
      });
      const [b1, b2, b3, b4] = Array.from({ length: 4 }, () => randomUUID());
      const { results } = await call<marketingV1.TryFlashPurchasesResponse>('tryFlashPurchases', {
        attempts: [b1, b2, b1, b3, b4].map((accountId) => ({
          saleId: sid,
          accountId,
          quantity: 1,
        })),
      });
      expect(results.map((r) => r.result)).toEqual([
        'WON',
        'WON',
        'LIMIT_REACHED',
        'WON',
        'SOLD_OUT',
      ]);
      const tokens = results.filter((r) => r.result === 'WON').map((r) => r.token);
      expect(new Set(tokens).size).toBe(3);
      expect(results.filter((r) => r.result !== 'WON').every((r) => r.token === '')).toBe(true);
      await eventually(async () => {
        const rows = await pg.query<{ token: string }>(
          `SELECT token FROM flash_purchases WHERE sale_id = $1 AND status = 'WON'`,
          [sid],
        );
        return rows.rows.length === 3 ? rows.rows.map((r) => r.token).sort() : undefined;
      }).then((recorded) => expect(recorded).toEqual([...tokens].sort()));
      const sale = await call<marketingV1.GetFlashSaleResponse>('getFlashSale', { saleId: sid });
      expect(sale.reconciliation).toEqual({ redisRemaining: 0, held: 3, paid: 0, drift: 0 });
    });

    it('TryFlashPurchases answers a bad attempt with its own error and decides the others (two sales, one Lua call each)', async () => {
      const sale = async (stock: number) => {
        const id = randomUUID();
        await call('createFlashSale', {
          sale: {
            id,
            skuId: randomUUID(),
            price: cny(100),
            stock,
            perUserLimit: 2,
            startsAt,
            endsAt,
          },
        });
        return id;
      };
      const [s1, s2] = [await sale(2), await sale(1)];
      const [b1, b2] = [randomUUID(), randomUUID()];
      const { results } = await call<marketingV1.TryFlashPurchasesResponse>('tryFlashPurchases', {
        attempts: [
          { saleId: s1, accountId: b1, quantity: 1 },
          { saleId: 'not-a-uuid', accountId: b1, quantity: 1 },
          { saleId: randomUUID(), accountId: b1, quantity: 1 },
          { saleId: s1, accountId: b2, quantity: 11 },
          { saleId: s2, accountId: b2, quantity: 1 },
          { saleId: s1, accountId: b1, quantity: 1 },
          { saleId: s2, accountId: b1, quantity: 1 },
          { saleId: s1, accountId: b2, quantity: 1 },
          // b1 holds its limit of 2 on s1: refused for the limit before the stock is looked at
          { saleId: s1, accountId: b1, quantity: 1 },
        ],
      });
      expect(results.map((r) => r.result || r.error?.code)).toEqual([
        'WON',
        'ID_INVALID',
        'FLASH_SALE_NOT_FOUND',
        'QUANTITY_INVALID',
        'WON',
        'WON',
        'SOLD_OUT',
        'SOLD_OUT',
        'LIMIT_REACHED',
      ]);
      expect(results.map((r) => r.error?.status ?? 0)).toEqual([0, 3, 5, 3, 0, 0, 0, 0, 0]);
      expect(results[2].error?.message).toMatch(/does not exist/);
      for (const id of [s1, s2]) {
        const got = await call<marketingV1.GetFlashSaleResponse>('getFlashSale', { saleId: id });
        expect(got.reconciliation?.drift).toBe(0);
        expect(got.reconciliation?.redisRemaining).toBe(0);
      }
    });

    it('a token prices its line once; a failed checkout returns the units; an unused token lapses', async () => {
      // two fresh units for this test: a sale of 2
      const sid = randomUUID();
      const sku = randomUUID();
      await call('createFlashSale', {
        sale: {
          id: sid,
          skuId: sku,
          price: cny(100),
          stock: 2,
          perUserLimit: 1,
          startsAt: new Date(Date.now() - 1000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      const [buyer, idle] = [randomUUID(), randomUUID()];
      const won = await call<marketingV1.AttemptFlashPurchaseResponse>('attemptFlashPurchase', {
        saleId: sid,
        accountId: buyer,
        quantity: 1,
      });
      await call('attemptFlashPurchase', { saleId: sid, accountId: idle, quantity: 1 });
      const order = randomUUID();
      const cart = {
        accountId: buyer,
        lines: [line(sku, 1999), line(randomUUID(), 500)],
        flashToken: won.token,
      };
      const r = await price({ ...cart, orderId: order });
      expect(r.lines.map((l) => l.total!.amountMinor)).toEqual([100, 500]);
      expect(r.explanation[0]).toBe('Flash sale: 1 × 1.00 CNY');
      expect((await failure(price({ ...cart, orderId: randomUUID() }))).code).toBe(
        'FLASH_TOKEN_USED',
      );
      expect(
        (await failure(price({ ...cart, accountId: randomUUID(), orderId: randomUUID() }))).code,
      ).toBe('FLASH_TOKEN_INVALID');
      // the checkout failed after pricing: the unit goes back to the pool, once
      await call('releaseCoupons', { orderId: order, reason: 'CHECKOUT_FAILED' });
      await call('releaseCoupons', { orderId: order, reason: 'CHECKOUT_FAILED' });
      let rec = (await call<marketingV1.GetFlashSaleResponse>('getFlashSale', { saleId: sid }))
        .reconciliation!;
      expect(rec).toEqual({ redisRemaining: 1, held: 1, paid: 0, drift: 0 });
      // the idle winner never checks out: after the token's 5 s its unit returns too
      rec = await eventually(
        async () => {
          const x = (await call<marketingV1.GetFlashSaleResponse>('getFlashSale', { saleId: sid }))
            .reconciliation!;
          // settled: Redis took the unit back and the database's RETURNED committed
          return x.redisRemaining === 2 && x.held === 0 ? x : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(rec).toEqual({ redisRemaining: 2, held: 0, paid: 0, drift: 0 });
    });

    it('a sale Redis lost is reloaded from the database: no oversell, limits kept', async () => {
      const sid = randomUUID();
      await call('createFlashSale', {
        sale: {
          id: sid,
          skuId: randomUUID(),
          price: cny(100),
          stock: 4,
          perUserLimit: 2,
          startsAt: new Date(Date.now() - 1000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      const winner = randomUUID();
      const attempt = (accountId: string) =>
        call<marketingV1.AttemptFlashPurchaseResponse>('attemptFlashPurchase', {
          saleId: sid,
          accountId,
          quantity: 1,
        });
      expect((await attempt(winner)).result).toBe('WON');
      expect((await attempt(winner)).result).toBe('WON');
      expect((await attempt(randomUUID())).result).toBe('WON');
      const { Redis } = await import('ioredis');
      const redis = new Redis(testEnv.redisUrl());
      try {
        await redis.del(...(await redis.keys(`mkt:${suffix}:fs:{${sid}}:*`)));
      } finally {
        redis.disconnect();
      }
      // reloaded with what the database does not hold (1 unit), and the winner's count
      expect((await attempt(winner)).result).toBe('LIMIT_REACHED');
      expect((await attempt(randomUUID())).result).toBe('WON');
      expect((await attempt(randomUUID())).result).toBe('SOLD_OUT');
      const sale = await call<marketingV1.GetFlashSaleResponse>('getFlashSale', { saleId: sid });
      expect(sale.reconciliation).toEqual({ redisRemaining: 0, held: 4, paid: 0, drift: 0 });
    });
  });

  describe('group buying', () => {
    const skuId = randomUUID();
    const deal = async (groupSize: number, windowSeconds: number) => {
      const id = randomUUID();
      await call('createGroupDeal', {
        deal: {
          id,
          skuId,
          price: cny(2990),
          groupSize,
          windowSeconds,
          startsAt: new Date(Date.now() - 1000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      return id;
    };
    const joinGroup = async (dealId: string, groupId = '') => {
      const accountId = randomUUID();
      const orderId = randomUUID();
      const r = await price({
        accountId,
        orderId,
        groupDealId: dealId,
        groupId,
        lines: [line(skuId, 4990)],
      });
      expect(r.total!.amountMinor).toBe(2990);
      return { accountId, orderId, groupId: r.groupId, deadline: r.groupDeadline };
    };
    const eventsFor = (groupId: string) => groupEvents.filter((e) => e.groupId === groupId);

    it('the deadline fails an unfilled group: one event naming every order', async () => {
      const dealId = await deal(3, 2);
      const a = await joinGroup(dealId);
      const b = await joinGroup(dealId, a.groupId);
      expect(b.groupId).toBe(a.groupId);
      const paid = await orderEvent('OrderPaid', a.orderId, a.accountId);
      await orderEvent('OrderPaid', a.orderId, a.accountId, paid);
      await orderEvent('OrderPaid', b.orderId, b.accountId);
      await eventually(async () => {
        const g = (await call<marketingV1.GetGroupResponse>('getGroup', { groupId: a.groupId }))
          .group!;
        return g.joined === 2 ? g : undefined;
      });
      const failed = await eventually(
        async () => (eventsFor(a.groupId).length ? eventsFor(a.groupId) : undefined),
        { timeoutMs: 15_000 },
      );
      await sleep(1000);
      expect(eventsFor(a.groupId)).toHaveLength(1);
      expect(failed[0]).toMatchObject({ type: 'FAILED', reason: 'DEADLINE_PASSED' });
      expect(failed[0].orderIds.sort()).toEqual([a.orderId, b.orderId].sort());
      const g = (await call<marketingV1.GetGroupResponse>('getGroup', { groupId: a.groupId }))
        .group!;
      expect(g.status).toBe('FAILED');
      // a closed group takes nobody
      expect((await failure(joinGroup(dealId, a.groupId))).code).toBe('GROUP_CLOSED');
    });

    it('concurrent payments: exactly `size` seats, the filling payment confirms them all, the rest fail', async () => {
      const dealId = await deal(3, 600);
      const leader = await joinGroup(dealId);
      const others = await Promise.all(
        Array.from({ length: 5 }, () => joinGroup(dealId, leader.groupId)),
      );
      const all = [leader, ...others];
      await Promise.all(all.map((m) => orderEvent('OrderPaid', m.orderId, m.accountId)));
      const events = await eventually(async () => {
        const ev = eventsFor(leader.groupId);
        const failedIds = ev.filter((e) => e.type === 'FAILED').flatMap((e) => e.orderIds);
        return ev.some((e) => e.type === 'SUCCEEDED') && failedIds.length === 3 ? ev : undefined;
      });
      const succeeded = events.filter((e) => e.type === 'SUCCEEDED');
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0].orderIds).toHaveLength(3);
      const failedIds = events.filter((e) => e.type === 'FAILED').flatMap((e) => e.orderIds);
      expect(new Set([...succeeded[0].orderIds, ...failedIds])).toEqual(
        new Set(all.map((m) => m.orderId)),
      );
      expect(
        await one(
          `SELECT count(*)::int AS n FROM group_members WHERE group_id = $1 AND status = 'JOINED'`,
          [leader.groupId],
        ),
      ).toEqual({ n: 3 });
    });
  });
});
