import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { type analyticsV1, type catalogV1, PROTO_FILES } from '@emporia/contracts';
import { createKafka } from '@emporia/messaging';
import type { RunningService } from '@emporia/platform';
import {
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  runServiceCommand,
  startServiceProcess,
  testEnv,
  testLogger,
  uniqueSuffix,
  type ServiceProcess,
  grpcFailure,
} from '@emporia/testing';
import { startAnalytics } from '../src/analytics.app';
import { analyticsConfigSchema } from '../src/config';
import { pricingEvents } from './pricing-events';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/**
 * Inventory health and pricing on real servers: catalog runs as its own process on its own
 * database with the same topic prefix, so its product snapshots reach analytics through Kafka;
 * orders are published to `order.order` by the test. Approving a suggestion changes the price in
 * that catalog, with the audit row in its price history.
 */
describe('analytics inventory and pricing (real Postgres + Kafka + catalog)', () => {
  const suffix = uniqueSuffix();
  const prefix = `apr${suffix}.`;
  const dbs: { url: string; drop: () => Promise<void> }[] = [];
  let catalog: ServiceProcess;
  let analytics: RunningService;
  let catalogClient: ReturnType<typeof grpcTestClient>;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let producer: Producer;
  /** True when this branch has no collection area: the test writes order_facts as it would. */
  let standIn = false;
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'analytics-pricing-it',
    logger: testLogger('kafka'),
  });
  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const cat = <T>(method: string, req: unknown) => catalogClient.call<T>(method, req);
  const failure = grpcFailure;

  const { paidOrder, snapshotEvent } = pricingEvents({
    producer: () => producer,
    pg: () => pg,
    prefix,
    timeZone: TZ,
    standIn: () => standIn,
  });

  beforeAll(async () => {
    const catalogDb = await createTestDatabase('apr_catalog');
    const analyticsDb = await createTestDatabase('apr_analytics');
    dbs.push(catalogDb, analyticsDb);
    const kafkaEnv = { KAFKA_BROKERS: testEnv.kafkaBrokers(), KAFKA_TOPIC_PREFIX: prefix };
    const catalogEnv = {
      ...kafkaEnv,
      CATALOG_DATABASE_URL: catalogDb.url,
      CATALOG_CONSUMER_GROUP: `catalog-apr${suffix}`,
      CURRENCIES: 'CNY',
    };
    await runServiceCommand('catalog', catalogEnv, ['migrate']);
    const [catalogGrpc, catalogHttp] = [await freePort(), await freePort()];
    catalog = await startServiceProcess(
      'catalog',
      {
        ...catalogEnv,
        CATALOG_GRPC_PORT: String(catalogGrpc),
        CATALOG_HTTP_PORT: String(catalogHttp),
        BIND_HOST: '127.0.0.1',
        OUTBOX_POLL_MS: '50',
      },
      `http://127.0.0.1:${catalogHttp}/readyz`,
    );
    catalogClient = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      `127.0.0.1:${catalogGrpc}`,
    );
    const config = analyticsConfigSchema.parse({
      ...kafkaEnv,
      ANALYTICS_DATABASE_URL: analyticsDb.url,
      ANALYTICS_GRPC_PORT: String(await freePort()),
      ANALYTICS_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      ANALYTICS_MIGRATE_ON_START: 'true',
      ANALYTICS_CONSUMER_GROUP: `analytics-apr${suffix}`,
      CATALOG_GRPC_URL: `127.0.0.1:${catalogGrpc}`,
      OUTBOX_POLL_MS: '50',
      ANALYTICS_TIME_ZONE: TZ,
    });
    analytics = await startAnalytics(config, testLogger('analytics'));
    client = grpcTestClient(
      PROTO_FILES.analytics,
      'emporia.analytics.v1.AnalyticsService',
      analytics.grpcUrl!,
    );
    pg = new Client({ connectionString: analyticsDb.url });
    await pg.connect();
    standIn = (await pg.query(`SELECT to_regclass('order_facts') AS t`)).rows[0].t === null;
    if (standIn)
      await pg.query(`
        CREATE TABLE order_facts (order_id uuid PRIMARY KEY, account_id uuid, channel text,
          currency char(3), total_minor bigint, placed_at timestamptz, placed_day date,
          paid_at timestamptz NULL, paid_day date NULL, paid_minor bigint DEFAULT 0,
          refunded_minor bigint DEFAULT 0, cancelled_at timestamptz NULL, units int, lines jsonb)`);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    catalogClient?.close();
    client?.close();
    await producer?.disconnect();
    await pg?.end();
    await analytics?.close();
    await catalog?.stop();
    for (const db of dbs) await db.drop();
  });

  it('snapshots and paid orders give exact inventory figures; a suggestion approved changes the price in catalog', async () => {
    const now = new Date();
    const tenDaysAgo = new Date(now.getTime() - 10 * DAY);
    const root = (
      await cat<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Home',
        slug: `home-${suffix}`,
      })
    ).category!;
    const leaf = (
      await cat<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Cups',
        slug: `cups-${suffix}`,
        parentId: root.id,
      })
    ).category!;
    const product = (
      await cat<catalogV1.CreateProductResponse>('createProduct', {
        title: 'Cup',
        categoryId: leaf.id,
        skus: [
          { code: `A-${suffix}`, price: cny(10000) },
          { code: `B-${suffix}`, price: cny(5000) },
        ],
      })
    ).product!;
    const [a, b] = product.skus;
    await cat('adjustStock', { skuId: a.id, warehouseCode: 'SH', delta: 100, reason: 'receipt' });
    await cat('adjustStock', { skuId: b.id, warehouseCode: 'SH', delta: 3, reason: 'receipt' });
    // ten days ago A was 120.00 with 40 on hand (a snapshot arriving late: it only adds history)
    await snapshotEvent(
      { id: product.id, categoryId: leaf.id, categoryPathIds: [root.id, leaf.id] },
      [
        { id: a.id, code: a.code, price: 12000, onHand: 40 },
        { id: b.id, code: b.code, price: 5000, onHand: 0 },
      ],
      tenDaysAgo,
    );
    const line = (sku: typeof a, quantity: number, unit: number) => ({
      skuId: sku.id,
      productId: product.id,
      quantity,
      unit,
    });
    await paidOrder([line(a, 5, 12000)], tenDaysAgo);
    await paidOrder([line(a, 2, 10000), line(b, 1, 5000)], now);
    await paidOrder([line(b, 19, 5000)], now);

    const health = (windowDays: number, categoryId = '') =>
      call<analyticsV1.GetInventoryHealthResponse>('getInventoryHealth', {
        categoryId,
        windowDays,
        limit: 0,
      });
    const r30 = await eventually(
      async () => {
        const r = await health(30);
        const byId = new Map(r.skus.map((s) => [s.skuId, s]));
        const ok =
          byId.get(a.id)?.onHand === 100 &&
          byId.get(a.id)?.unitsSold === 7 &&
          byId.get(b.id)?.onHand === 3 &&
          byId.get(b.id)?.unitsSold === 20;
        return ok ? r : undefined;
      },
      { timeoutMs: 40_000, what: 'the snapshots and orders projected' },
    );
    // A: 7 sold in 30 days, on hand 100; end-of-day on hand 40 for days −10..−1, 100 today → Σ 500
    // B: 20 sold, on hand 3; 0 for days −10..−1, 3 today → Σ 3
    expect(r30.skus.map((s) => s.skuId)).toEqual([b.id, a.id]);
    const [hb, ha] = r30.skus;
    expect(hb).toMatchObject({
      stockoutRisk: true,
      slowMover: false,
      productId: product.id,
      categoryId: leaf.id,
    });
    expect(hb.daysOfSupply).toBeCloseTo(3 / (20 / 30), 12);
    expect(hb.turnover).toBeCloseTo(20 / (3 / 30), 12);
    expect(hb.sellThrough).toBeCloseTo(20 / 23, 12);
    expect(ha).toMatchObject({ stockoutRisk: false, slowMover: true });
    expect(ha.daysOfSupply).toBeCloseTo(100 / (7 / 30), 9);
    expect(ha.turnover).toBeCloseTo(7 / (500 / 30), 12);
    expect(ha.sellThrough).toBeCloseTo(7 / 107, 12);
    expect(r30.categories.map((c) => [c.categoryId, c.onHand, c.unitsSold])).toEqual(
      [
        [root.id, 103, 27],
        [leaf.id, 103, 27],
      ].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
    );
    const r3 = await health(3, leaf.id);
    expect(r3.skus.find((s) => s.skuId === a.id)?.unitsSold).toBe(2);
    expect(r3.categories.map((c) => c.categoryId)).toEqual([leaf.id]);
    expect(
      Number((await pg.query(`SELECT count(*) AS n FROM inventory_counted_orders`)).rows[0].n),
    ).toBe(3);

    // pricing: A is overstocked and slow; its elasticity comes from 120.00 (5 units in 10 days) → 100.00 (2 today)
    const policy = {
      skuId: a.id,
      floor: cny(7000),
      ceiling: cny(15000),
      unitCost: cny(5000),
      minMarginBps: 2000,
      targetSellThrough: 0.5,
      targetDaysOfSupply: 30,
      enabled: true,
    };
    const bad = await failure(
      call('upsertPricingPolicy', { policy: { ...policy, ceiling: cny(6000) } }),
    );
    expect(bad).toMatchObject({
      status: status.INVALID_ARGUMENT,
      details: { field: 'policy.ceiling' },
    });
    await call('upsertPricingPolicy', { policy });
    expect(
      (await call<analyticsV1.ListPricingPoliciesResponse>('listPricingPolicies', {})).policies,
    ).toEqual([policy]);
    expect((await call<analyticsV1.SuggestPricesResponse>('suggestPrices', {})).suggested).toBe(1);
    const [s] = (
      await call<analyticsV1.ListPriceSuggestionsResponse>('listPriceSuggestions', {
        status: 'PENDING',
        limit: 10,
      })
    ).suggestions;
    expect(s).toMatchObject({
      skuId: a.id,
      currentPrice: cny(10000),
      suggestedPrice: cny(8000),
      status: 'PENDING',
    });
    expect(s.elasticity).toBeCloseTo(Math.log(2 / (5 / 10)) / Math.log(10000 / 12000), 9);
    expect(s.reasons).toContain('step capped at 20%');

    const approved = (
      await call<analyticsV1.DecidePriceSuggestionResponse>('decidePriceSuggestion', {
        id: s.id,
        decision: 'approve',
        decidedBy: 'op-9',
      })
    ).suggestion!;
    expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: 'op-9' });
    expect(approved.decidedAt).not.toBe('');
    const after = (await cat<catalogV1.GetProductResponse>('getProduct', { id: product.id }))
      .product!;
    expect(after.skus.find((x) => x.id === a.id)?.price).toEqual(cny(8000));
    const history = await cat<catalogV1.GetSkuPriceHistoryResponse>('getSkuPriceHistory', {
      skuId: a.id,
      limit: 5,
    });
    expect(history.changes[0]).toMatchObject({
      price: cny(8000),
      previousPrice: cny(10000),
      reason: 'price-suggestion',
      reference: s.id,
      actorId: 'op-9',
    });
    const again = await failure(
      call('decidePriceSuggestion', { id: s.id, decision: 'approve', decidedBy: 'op-9' }),
    );
    expect(again).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'SUGGESTION_NOT_PENDING',
    });
    // catalog's ProductUpdated reaches the projection: the new price is A's current price
    await eventually(async () =>
      (await pg.query(`SELECT price_minor FROM inventory_skus WHERE sku_id = $1`, [a.id])).rows[0]
        ?.price_minor === '8000'
        ? true
        : undefined,
    );
  });

  it('catalog refusing the price passes through with its code and leaves the suggestion PENDING', async () => {
    // a SKU catalog does not know, seen in a (synthetic) snapshot with stock and no sales
    const ghost = { id: randomUUID(), categoryId: randomUUID(), categoryPathIds: [] as string[] };
    const skuId = randomUUID();
    await snapshotEvent(
      ghost,
      [{ id: skuId, code: 'GHOST', price: 10000, onHand: 50 }],
      new Date(),
    );
    await eventually(async () =>
      (await pg.query(`SELECT 1 FROM inventory_skus WHERE sku_id = $1`, [skuId])).rowCount
        ? true
        : undefined,
    );
    await call('upsertPricingPolicy', {
      policy: {
        skuId,
        floor: cny(1000),
        ceiling: cny(20000),
        unitCost: cny(500),
        minMarginBps: 0,
        targetSellThrough: 0.5,
        targetDaysOfSupply: 30,
        enabled: true,
      },
    });
    await call('suggestPrices', {});
    const pending = (
      await call<analyticsV1.ListPriceSuggestionsResponse>('listPriceSuggestions', {
        status: 'PENDING',
        limit: 50,
      })
    ).suggestions;
    const s = pending.find((x) => x.skuId === skuId)!;
    expect(s.suggestedPrice).toEqual(cny(8000)); // no sales: the largest step
    const refused = await failure(
      call('decidePriceSuggestion', { id: s.id, decision: 'approve', decidedBy: 'op-1' }),
    );
    expect(refused).toMatchObject({ status: status.NOT_FOUND, code: 'SKU_NOT_FOUND' });
    const rejected = (
      await call<analyticsV1.DecidePriceSuggestionResponse>('decidePriceSuggestion', {
        id: s.id,
        decision: 'reject',
        decidedBy: 'op-1',
      })
    ).suggestion!;
    expect(rejected.status).toBe('REJECTED');
  });
});
