import { status } from '@grpc/grpc-js';
import { v4 as uuid } from 'uuid';
import { catalogV1 } from '@emporia/contracts';
import { uniqueSuffix } from '@emporia/testing';
import { type CatalogUnderTest, failure, startTestCatalog } from './support/catalog-under-test';

jest.setTimeout(120_000);

/** Warehouses as data (location, shipping cost) and per-warehouse availability, on real Postgres. */
describe('catalog warehouses (real Postgres)', () => {
  let catalog: CatalogUnderTest;
  let categoryId: string;

  const call = <T>(method: string, req: unknown) => catalog.call<T>(method, req);
  const upsert = (req: Partial<catalogV1.UpsertWarehouseRequest> & { code: string }) =>
    call<catalogV1.UpsertWarehouseResponse>('upsertWarehouse', {
      name: `Warehouse ${req.code}`,
      country: 'CN',
      province: 'Shanghai',
      city: 'Shanghai',
      shippingCost: { amountMinor: 800, currency: 'CNY' },
      ...req,
    });
  const list = (req: Partial<catalogV1.ListWarehousesRequest> = {}) =>
    call<catalogV1.ListWarehousesResponse>('listWarehouses', req);
  const rows = async () =>
    (await catalog.pg.query(`SELECT code FROM warehouses ORDER BY code`)).rows.map(
      (r: { code: string }) => r.code,
    );

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_wh_it', {
      KAFKA_TOPIC_PREFIX: `wh${uniqueSuffix()}.`,
    });
    categoryId = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Warehoused',
        slug: `warehoused-${uniqueSuffix()}`,
      })
    ).category!.id;
  });

  afterAll(() => catalog?.close());

  it('registers a warehouse, replaces it by code, and a repeated upsert writes nothing', async () => {
    const created = await upsert({
      code: 'sh-pd',
      name: ' Shanghai  Pudong ',
      country: 'cn',
      active: true,
    });
    expect(created.created).toBe(true);
    expect(created.warehouse).toEqual({
      code: 'SH-PD',
      name: 'Shanghai Pudong',
      country: 'CN',
      province: 'Shanghai',
      city: 'Shanghai',
      shippingCost: { amountMinor: 800, currency: 'CNY' },
      active: true,
      createdAt: expect.any(String),
      updatedAt: created.warehouse!.createdAt,
    });

    const again = await upsert({ code: 'SH-PD', name: 'Shanghai Pudong' });
    expect(again.created).toBe(false);
    expect(again.warehouse).toEqual(created.warehouse);

    const moved = await upsert({
      code: 'SH-PD',
      name: 'Kunshan',
      province: 'Jiangsu',
      city: 'Kunshan',
      shippingCost: { amountMinor: 0, currency: 'CNY' },
      active: false,
    });
    expect(moved.created).toBe(false);
    expect(moved.warehouse).toMatchObject({
      code: 'SH-PD',
      province: 'Jiangsu',
      city: 'Kunshan',
      shippingCost: { amountMinor: 0, currency: 'CNY' },
      active: false,
      createdAt: created.warehouse!.createdAt,
    });
    expect(moved.warehouse!.updatedAt > created.warehouse!.updatedAt).toBe(true);
    // `active` left unset keeps what the warehouse is
    expect((await upsert({ code: 'SH-PD', name: 'Kunshan 2' })).warehouse!.active).toBe(false);
    expect(await rows()).toEqual(['SH-PD']);
  });

  it('lists by code, pages, and filters inactive warehouses out on request', async () => {
    for (const code of ['L-C', 'L-A', 'L-B', 'L-D']) await upsert({ code, active: code !== 'L-B' });
    const codes = (ws: catalogV1.Warehouse[]) =>
      ws.map((w) => w.code).filter((c) => c.startsWith('L-'));

    expect(codes((await list()).warehouses)).toEqual(['L-A', 'L-B', 'L-C', 'L-D']);
    expect(codes((await list({ activeOnly: true })).warehouses)).toEqual(['L-A', 'L-C', 'L-D']);

    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await list({ pageSize: 2, pageToken });
      expect(page.warehouses.length).toBeLessThanOrEqual(2);
      seen.push(...page.warehouses.map((w) => w.code));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    expect(seen).toEqual((await list()).warehouses.map((w) => w.code));
    expect(pages).toBeGreaterThan(1);
    expect(await failure(list({ pageToken: 'not-a-cursor' }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'INVALID_CURSOR',
    });
  });

  it('concurrent upserts of a new code register it once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => upsert({ code: 'RACE-1', name: `Racer ${i}` })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await rows()).filter((c) => c === 'RACE-1')).toHaveLength(1);
  });

  it.each<[string, Partial<catalogV1.UpsertWarehouseRequest>, string]>([
    ['a bad code', { code: 'no spaces' }, 'WAREHOUSE_CODE_INVALID'],
    ['an empty name', { name: ' ' }, 'WAREHOUSE_NAME_INVALID'],
    ['a country that is not ISO 3166-1 alpha-2', { country: 'CHN' }, 'WAREHOUSE_COUNTRY_INVALID'],
    ['no city', { city: '' }, 'WAREHOUSE_LOCATION_INVALID'],
    ['no shipping cost', { shippingCost: undefined }, 'WAREHOUSE_SHIPPING_COST_REQUIRED'],
    [
      'a negative shipping cost',
      { shippingCost: { amountMinor: -100, currency: 'CNY' } },
      'WAREHOUSE_SHIPPING_COST_NEGATIVE',
    ],
    [
      'a shipping cost in no currency',
      { shippingCost: { amountMinor: 100, currency: 'RMB1' } },
      'WAREHOUSE_SHIPPING_COST_INVALID',
    ],
  ])('refuses %s, writing nothing', async (_label, over, code) => {
    const before = await rows();
    expect(await failure(upsert({ code: 'BAD-1', ...over }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code,
    });
    expect(await rows()).toEqual(before);
  });

  it('GetSkus reports what is available per warehouse, registered or not', async () => {
    await upsert({ code: 'BJ-1', city: 'Beijing', province: 'Beijing' });
    const { product } = await call<catalogV1.CreateProductResponse>('createProduct', {
      title: 'Routable',
      categoryId,
      skus: [
        { code: `W-${uniqueSuffix()}`, price: { amountMinor: 1000, currency: 'CNY' } },
        { code: `W-${uniqueSuffix()}`, price: { amountMinor: 1000, currency: 'CNY' } },
      ],
    });
    const [a, b] = product!.skus.map((s) => s.id);
    const adjust = (skuId: string, warehouseCode: string, delta: number) =>
      call<catalogV1.AdjustStockResponse>('adjustStock', {
        skuId,
        warehouseCode,
        delta,
        reason: 'receive',
      });
    await adjust(a, 'BJ-1', 5);
    // an unregistered warehouse keeps working for stock: it just has no location or cost
    expect((await adjust(a, 'gz-9', 3)).level!.warehouseCode).toBe('GZ-9');
    await adjust(a, 'SH-PD', 2);
    await adjust(b, 'BJ-1', 1);
    // what reservations hold is not available; a warehouse with nothing available is left out
    await call('reserveStock', {
      reservationId: uuid(),
      lines: [
        { skuId: a, quantity: 2, warehouseCode: 'SH-PD' },
        { skuId: a, quantity: 1, warehouseCode: 'BJ-1' },
      ],
    });

    const { skus } = await call<catalogV1.GetSkusResponse>('getSkus', { skuIds: [a, b] });
    const byId = new Map(skus.map((s) => [s.skuId, s]));
    expect(Number(byId.get(a)!.available)).toBe(7);
    expect(byId.get(a)!.stock.map((s) => [s.warehouseCode, Number(s.available)])).toEqual([
      ['BJ-1', 4],
      ['GZ-9', 3],
    ]);
    expect(byId.get(b)!.stock.map((s) => [s.warehouseCode, Number(s.available)])).toEqual([
      ['BJ-1', 1],
    ]);
    // a registered warehouse's location is what routing pairs with this availability
    expect((await list()).warehouses.find((w) => w.code === 'BJ-1')).toMatchObject({
      city: 'Beijing',
      active: true,
    });
    expect((await list()).warehouses.some((w) => w.code === 'GZ-9')).toBe(false);
  });
});
