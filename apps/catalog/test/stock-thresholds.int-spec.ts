import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { v4 as uuid } from 'uuid';
import { catalogV1, PROTO_FILES } from '@emporia/contracts';
import { fromGrpcError, type RunningService } from '@emporia/platform';
import {
  aCatalogSku,
  createTestDatabase,
  eventually,
  freePort,
  grpcTestClient,
  testEnv,
  testLogger,
  uniqueSuffix,
} from '@emporia/testing';
import { startCatalog } from '../src/catalog.app';
import { catalogConfigSchema } from '../src/config';

jest.setTimeout(120_000);

/**
 * Low-stock thresholds on real Postgres and Kafka: StockLow / StockRecovered written to the
 * outbox on `catalog.stock` (keyed by SKU id) once per crossing, in the movement's transaction,
 * under concurrency; the low-stock list.
 */
describe('catalog low-stock thresholds (real Postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let service: RunningService;
  let client: ReturnType<typeof grpcTestClient>;
  let pg: Client;
  let categoryId: string;
  const prefix = `lst${uniqueSuffix()}.`;

  const call = <T>(method: string, req: unknown) => client.call<T>(method, req);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => fromGrpcError(e),
    );
  /** A fresh warehouse code, so each test's low-stock rows are its own. */
  const warehouse = () => `W${uniqueSuffix()}`.slice(0, 32).toUpperCase();
  const sku = (stock: number, warehouses: string[]) =>
    aCatalogSku(client, categoryId).named('LS', 'Lowstock').stocked(stock, warehouses).create();
  const setThreshold = (skuId: string, warehouseCode: string, threshold: number) =>
    call<catalogV1.SetStockThresholdResponse>('setStockThreshold', {
      skuId,
      warehouseCode,
      threshold,
    });
  const adjust = (skuId: string, warehouseCode: string, delta: number) =>
    call('adjustStock', { skuId, warehouseCode, delta, reason: 'count' });
  const reserve = (skuId: string, warehouseCode: string, quantity: number, ttlSeconds = 0) =>
    call<catalogV1.ReserveStockResponse>('reserveStock', {
      reservationId: uuid(),
      lines: [{ skuId, quantity, warehouseCode }],
      ttlSeconds,
    });
  /** The SKU's crossing events in the outbox, in commit order, decoded. */
  const crossings = async (skuId: string) =>
    (
      await pg.query<{ event_type: string; payload: Buffer; topic: string }>(
        `SELECT event_type, payload, topic FROM outbox WHERE message_key = $1 AND topic = $2 ORDER BY seq`,
        [skuId, `${prefix}catalog.stock`],
      )
    ).rows.map((r) => {
      const low = r.event_type === 'emporia.catalog.v1.StockLow';
      const m = low
        ? catalogV1.StockLow.decode(r.payload)
        : catalogV1.StockRecovered.decode(r.payload);
      return { type: low ? 'StockLow' : 'StockRecovered', ...m };
    });
  const summary = async (skuId: string) =>
    (await crossings(skuId)).map((e) => `${e.type}:${e.warehouseCode}:${e.available}`);

  beforeAll(async () => {
    db = await createTestDatabase('catalog_lowstock_it');
    const config = catalogConfigSchema.parse({
      CATALOG_DATABASE_URL: db.url,
      KAFKA_BROKERS: testEnv.kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: prefix,
      CATALOG_GRPC_PORT: String(await freePort()),
      CATALOG_HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      CATALOG_MIGRATE_ON_START: 'true',
      CATALOG_CONSUMER_GROUP: `catalog-it${uniqueSuffix()}`,
      RESERVATION_SWEEP_INTERVAL_MS: '100',
      DB_POOL_SIZE: '20',
    });
    service = await startCatalog(config, testLogger('catalog'));
    client = grpcTestClient(
      PROTO_FILES.catalog,
      'emporia.catalog.v1.CatalogService',
      service.grpcUrl!,
    );
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Low stock',
        slug: `low-stock-${uniqueSuffix()}`,
      })
    ).category!.id;
  });

  afterAll(async () => {
    client?.close();
    await pg?.end();
    await service?.close();
    await db?.drop();
  });

  it('adjustments and reservations crossing down and up emit StockLow and StockRecovered once each, published on catalog.stock', async () => {
    const wh = warehouse();
    const skuId = await sku(10, [wh]);
    const set = await setThreshold(skuId, wh, 4);
    expect(set.threshold).toMatchObject({ skuId, warehouseCode: wh, threshold: 4, low: false });
    await adjust(skuId, wh, -3); // 7
    const r1 = await reserve(skuId, wh, 3); // 4: low
    const r2 = await reserve(skuId, wh, 2); // 2
    await adjust(skuId, wh, -1); // 1
    await call('commitReservation', { reservationId: r1.reservation!.id }); // still 1
    await call('releaseReservation', { reservationId: r2.reservation!.id, reason: 'x' }); // 3
    expect(await summary(skuId)).toEqual([`StockLow:${wh}:4`]);
    await adjust(skuId, wh, 2); // 5: recovered
    await adjust(skuId, wh, 7); // 12
    await adjust(skuId, wh, -1); // 11
    const events = await crossings(skuId);
    expect(events.map((e) => `${e.type}:${e.available}:${e.threshold}`)).toEqual([
      'StockLow:4:4',
      'StockRecovered:5:4',
    ]);
    expect(events[0]).toMatchObject({
      skuId,
      warehouseCode: wh,
      productTitle: expect.stringMatching(/^Lowstock LS-/),
    });
    expect(events[0].skuCode).toMatch(/^LS-/);
    expect(Date.parse(events[0].occurredAt)).not.toBeNaN();
    // the relay published them (the outbox rows are marked sent)
    await eventually(
      async () => {
        const r = await pg.query(
          `SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND topic = $2 AND published_at IS NULL`,
          [skuId, `${prefix}catalog.stock`],
        );
        return r.rows[0].n === 0 ? true : undefined;
      },
      { what: 'crossing events relayed to Kafka', timeoutMs: 30_000 },
    );
  });

  it('concurrent reservations crossing together emit exactly one StockLow; concurrent releases one StockRecovered', async () => {
    const wh = warehouse();
    const skuId = await sku(30, [wh]);
    await setThreshold(skuId, wh, 20);
    const held = await Promise.all(Array.from({ length: 20 }, () => reserve(skuId, wh, 1)));
    expect(await summary(skuId)).toEqual([`StockLow:${wh}:20`]);
    await Promise.all(
      held.map((r) =>
        call('releaseReservation', { reservationId: r.reservation!.id, reason: 'cart' }),
      ),
    );
    expect(await summary(skuId)).toEqual([`StockLow:${wh}:20`, `StockRecovered:${wh}:21`]);
    const t = (await call<catalogV1.ListStockThresholdsResponse>('listStockThresholds', { skuId }))
      .thresholds;
    expect(t).toEqual([expect.objectContaining({ warehouseCode: wh, low: false, lowSince: '' })]);
  });

  it('the expiry sweep releasing held units recovers once', async () => {
    const wh = warehouse();
    const skuId = await sku(5, [wh]);
    await setThreshold(skuId, wh, 2);
    await reserve(skuId, wh, 4, 1);
    expect(await summary(skuId)).toEqual([`StockLow:${wh}:1`]);
    await eventually(async () => ((await summary(skuId)).length === 2 ? true : undefined), {
      what: 'StockRecovered after expiry',
      timeoutMs: 15_000,
    });
    expect(await summary(skuId)).toEqual([`StockLow:${wh}:1`, `StockRecovered:${wh}:5`]);
  });

  it('setting and removing a threshold evaluates it; bad requests are refused with their codes', async () => {
    const wh = warehouse();
    const skuId = await sku(3, [wh]);
    const set = await setThreshold(skuId, wh.toLowerCase(), 5);
    expect(set.threshold).toMatchObject({ warehouseCode: wh, low: true });
    expect(Date.parse(set.threshold!.lowSince)).not.toBeNaN();
    const removed = await setThreshold(skuId, wh, 0);
    expect(removed.threshold).toMatchObject({ threshold: 0, low: false });
    expect(await summary(skuId)).toEqual([`StockLow:${wh}:3`, `StockRecovered:${wh}:3`]);
    expect(
      (await call<catalogV1.ListStockThresholdsResponse>('listStockThresholds', { skuId }))
        .thresholds,
    ).toEqual([]);

    const invalid = await failure(setThreshold(skuId, wh, -2));
    expect([invalid.status, invalid.code]).toEqual([
      status.INVALID_ARGUMENT,
      'STOCK_THRESHOLD_INVALID',
    ]);
    const noSku = await failure(setThreshold(uuid(), wh, 2));
    expect([noSku.status, noSku.code]).toEqual([status.NOT_FOUND, 'SKU_NOT_FOUND']);
    const noWarehouse = await failure(setThreshold(skuId, warehouse(), 2));
    expect([noWarehouse.status, noWarehouse.code]).toEqual([
      status.NOT_FOUND,
      'WAREHOUSE_NOT_FOUND',
    ]);
  });

  it('lists low stock longest low first, with SKU code and product title, paged, by warehouse', async () => {
    const wh = warehouse();
    const other = warehouse();
    const skus = [await sku(5, [wh, other]), await sku(5, [wh]), await sku(5, [wh])];
    for (const s of skus) await setThreshold(s, wh, 2);
    await setThreshold(skus[0], other, 2);
    // low in this order: skus[2], skus[0], skus[1] in wh; skus[0] in the other warehouse
    for (const s of [skus[2], skus[0], skus[1]]) await adjust(s, wh, -4);
    await adjust(skus[0], other, -3);
    const list = (req: object) =>
      call<catalogV1.ListLowStockResponse>('listLowStock', { warehouseCode: wh, ...req });
    const all = await list({});
    expect(all.items.map((i) => i.skuId)).toEqual([skus[2], skus[0], skus[1]]);
    expect(all.items[0]).toMatchObject({
      warehouseCode: wh,
      onHand: 1,
      reserved: 0,
      available: 1,
      threshold: 2,
      productTitle: expect.stringMatching(/^Lowstock LS-/),
      skuCode: expect.stringMatching(/^LS-/),
    });
    expect(all.nextPageToken).toBe('');
    const first = await list({ pageSize: 2 });
    expect(first.items.map((i) => i.skuId)).toEqual([skus[2], skus[0]]);
    const second = await list({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.items.map((i) => i.skuId)).toEqual([skus[1]]);
    expect(second.nextPageToken).toBe('');
    const elsewhere = await list({ warehouseCode: other });
    expect(elsewhere.items.map((i) => [i.skuId, i.available])).toEqual([[skus[0], 2]]);
    const everywhere = await call<catalogV1.ListLowStockResponse>('listLowStock', {});
    expect(everywhere.items.map((i) => `${i.skuId}@${i.warehouseCode}`)).toEqual(
      expect.arrayContaining([`${skus[0]}@${wh}`, `${skus[0]}@${other}`]),
    );
    const bad = await failure(list({ pageToken: 'nope' }));
    expect(bad.status).toBe(status.INVALID_ARGUMENT);
  });
});
