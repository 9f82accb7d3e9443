import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { catalogV1 } from '@emporia/contracts';
import { createKafka } from '@emporia/messaging';
import { fromGrpcError } from '@emporia/platform';
import { eventually, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { type CatalogUnderTest, failure, startTestCatalog } from './support/catalog-under-test';

jest.setTimeout(120_000);

const expectGrpcError = async (p: Promise<unknown>, grpcStatus: status, code: string) => {
  const err = await failure(p);
  expect({ status: err.status, code: err.code }).toEqual({ status: grpcStatus, code });
};

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

describe('catalog service (real Postgres + Kafka)', () => {
  let catalog: CatalogUnderTest;

  const count = async (table: string) =>
    Number((await catalog.pg.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const call = <T>(method: string, req: unknown) => catalog.call<T>(method, req);

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_it', {
      OUTBOX_POLL_MS: '50',
      CURRENCIES: 'CNY,HKD',
    });
  });

  afterAll(() => catalog?.close());

  const category = async (name: string, parentId = '') =>
    (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name,
        slug: `${name.toLowerCase()}-${uniqueSuffix()}`,
        parentId,
      })
    ).category!;

  const product = async (categoryId: string, code: string, priceMinor = 1999) =>
    (
      await call<catalogV1.CreateProductResponse>('createProduct', {
        title: `Product ${code}`,
        categoryId,
        skus: [
          {
            code,
            attributes: { color: 'red' },
            price: { amountMinor: priceMinor, currency: 'CNY' },
          },
        ],
      })
    ).product!;

  it('keeps a category tree of any depth and moves subtrees without cycles', async () => {
    const root = await category('Root');
    const a = await category('A', root.id);
    const b = await category('B', a.id);
    const c = await category('C', b.id);
    const other = await category('Other');
    expect(c.pathIds).toEqual([root.id, a.id, b.id, c.id]);
    expect(c.depth).toBe(3);

    await expectGrpcError(
      call('moveCategory', { id: a.id, newParentId: c.id }),
      status.FAILED_PRECONDITION,
      'CATEGORY_CYCLE',
    );
    await expectGrpcError(
      call('moveCategory', { id: a.id, newParentId: a.id }),
      status.FAILED_PRECONDITION,
      'CATEGORY_CYCLE',
    );

    const moved = (
      await call<catalogV1.MoveCategoryResponse>('moveCategory', {
        id: b.id,
        newParentId: other.id,
      })
    ).category!;
    expect(moved.pathIds).toEqual([other.id, b.id]);
    const c2 = (await call<catalogV1.GetCategoryResponse>('getCategory', { id: c.id })).category!;
    expect(c2.pathIds).toEqual([other.id, b.id, c.id]);

    const roots = await call<catalogV1.ListCategoriesResponse>('listCategories', { pageSize: 1 });
    expect(roots.categories).toHaveLength(1);
    const rest = await call<catalogV1.ListCategoriesResponse>('listCategories', {
      pageSize: 10,
      pageToken: roots.nextPageToken,
    });
    expect([...roots.categories, ...rest.categories].map((x) => x.id).sort()).toEqual(
      [root.id, other.id].sort(),
    );
  });

  it('reads a product with its SKUs in order, each with its stock and units sold', async () => {
    const root = await category('Read');
    const leaf = await category('ReadLeaf', root.id);
    const code = `RD-${uniqueSuffix()}`;
    const created = (
      await call<catalogV1.CreateProductResponse>('createProduct', {
        title: 'Three SKUs',
        categoryId: leaf.id,
        skus: [
          { code: `${code}-A`, attributes: { color: 'red', size: 'M' }, price: cny(1999) },
          { code: `${code}-B`, attributes: { color: 'blue' }, price: cny(2999) },
          { code: `${code}-C`, attributes: {}, price: cny(100) },
        ],
      })
    ).product!;
    const [a, b] = created.skus.map((s) => s.id);
    await call('adjustStock', { skuId: a, warehouseCode: 'sh-1', delta: 5, reason: 'receive' });
    await call('adjustStock', { skuId: a, warehouseCode: 'bj-1', delta: 3, reason: 'receive' });
    await call('adjustStock', { skuId: b, warehouseCode: 'sh-1', delta: 2, reason: 'receive' });
    const reservationId = randomUUID();
    await call('reserveStock', { reservationId, lines: [{ skuId: a, quantity: 2 }] });
    await call('commitReservation', { reservationId });

    const read = (await call<catalogV1.GetProductResponse>('getProduct', { id: created.id }))
      .product!;
    expect(read.categoryPathIds).toEqual([root.id, leaf.id]);
    expect(
      read.skus.map((s) => ({
        code: s.code,
        attributes: s.attributes,
        price: s.price,
        originalPrice: s.originalPrice,
        stockOnHand: Number(s.stockOnHand),
        unitsSold: Number(s.unitsSold),
      })),
    ).toEqual([
      {
        code: `${code}-A`,
        attributes: { color: 'red', size: 'M' },
        price: cny(1999),
        originalPrice: null,
        stockOnHand: 6,
        unitsSold: 2,
      },
      {
        code: `${code}-B`,
        attributes: { color: 'blue' },
        price: cny(2999),
        originalPrice: null,
        stockOnHand: 2,
        unitsSold: 0,
      },
      {
        code: `${code}-C`,
        attributes: {},
        price: cny(100),
        originalPrice: null,
        stockOnHand: 0,
        unitsSold: 0,
      },
    ]);
    // the commit's snapshot (read under the product's lock) carries the same figures
    const [committed] = (
      await catalog.pg.query(
        `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = $2 ORDER BY seq DESC LIMIT 1`,
        [created.id, 'emporia.catalog.v1.ProductStockChanged'],
      )
    ).rows.map((r: { payload: Buffer }) => catalogV1.ProductStockChanged.decode(r.payload));
    expect(committed.product!.categoryPathIds).toEqual([root.id, leaf.id]);
    expect(
      committed.product!.skus.map((s) => [Number(s.stockOnHand), Number(s.unitsSold)]),
    ).toEqual([
      [6, 2],
      [2, 0],
      [0, 0],
    ]);
  });

  it('moving a subtree re-publishes snapshots of its products with the new path', async () => {
    const from = await category('From');
    const leaf = await category('Leaf', from.id);
    const to = await category('To');
    const p = await product(leaf.id, `MV-${uniqueSuffix()}`);
    await call('moveCategory', { id: leaf.id, newParentId: to.id });
    const after = (await call<catalogV1.GetProductResponse>('getProduct', { id: p.id })).product!;
    expect(after.version).toBe(p.version + 1);
    expect(after.categoryPathIds).toEqual([to.id, leaf.id]);
    const rows = await catalog.pg.query(
      `SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY seq`,
      [p.id],
    );
    expect(rows.rows.map((r) => r.event_type)).toEqual([
      'emporia.catalog.v1.ProductCreated',
      'emporia.catalog.v1.ProductUpdated',
    ]);
  });

  it('writes the product and its event in one transaction, and the relay publishes it to Kafka', async () => {
    const cat = await category('Phones');
    const code = `PH-${uniqueSuffix()}`;
    const kafka = createKafka({
      brokers: testEnv.kafkaBrokers().split(','),
      clientId: 'it',
      logger: testLogger('kafka'),
    });
    const consumer = kafka.consumer({ groupId: `it-${uniqueSuffix()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${catalog.prefix}catalog.product`, fromBeginning: true });
    const seen: { key: string; type: string; product: catalogV1.Product }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const type = message.headers?.['event-type']?.toString() ?? '';
        if (type === 'emporia.catalog.v1.ProductCreated') {
          seen.push({
            key: message.key!.toString(),
            type,
            product: catalogV1.ProductCreated.decode(message.value!).product!,
          });
        }
      },
    });
    try {
      const p = await product(cat.id, code, 4999);
      const got = await eventually(async () => seen.find((s) => s.key === p.id), {
        what: 'ProductCreated on Kafka',
        timeoutMs: 30000,
      });
      expect(got.product.skus[0]).toMatchObject({
        code,
        price: { amountMinor: 4999, currency: 'CNY' },
      });
      expect(got.product.categoryPathIds).toEqual([cat.id]);
      const row = await catalog.pg.query(`SELECT published_at FROM outbox WHERE message_key = $1`, [
        p.id,
      ]);
      expect(row.rows[0].published_at).not.toBeNull();
    } finally {
      await consumer.disconnect();
    }
  });

  it.each([
    [
      'unknown category',
      { categoryId: '018f0000-0000-7000-8000-000000000000' },
      status.FAILED_PRECONDITION,
      'CATEGORY_NOT_FOUND',
    ],
    ['malformed category id', { categoryId: 'not-a-uuid' }, status.INVALID_ARGUMENT, 'ID_INVALID'],
    [
      'negative price',
      { skus: [{ code: 'NEG', price: { amountMinor: -5, currency: 'CNY' } }] },
      status.INVALID_ARGUMENT,
      'SKU_PRICE_NEGATIVE',
    ],
    ['missing price', { skus: [{ code: 'NOP' }] }, status.INVALID_ARGUMENT, 'SKU_PRICE_REQUIRED'],
    ['no title', { title: '' }, status.INVALID_ARGUMENT, 'PRODUCT_FIELD_REQUIRED'],
    ['no skus', { skus: [] }, status.INVALID_ARGUMENT, 'PRODUCT_SKUS_REQUIRED'],
    [
      'a price in BTC',
      { skus: [{ code: 'BTC', price: { amountMinor: 1, currency: 'BTC' } }] },
      status.INVALID_ARGUMENT,
      'SKU_PRICE_INVALID',
    ],
    [
      'a price in a currency not configured (USD; CURRENCIES=CNY,HKD)',
      { skus: [{ code: 'USD', price: { amountMinor: 1, currency: 'USD' } }] },
      status.INVALID_ARGUMENT,
      'SKU_PRICE_INVALID',
    ],
  ])('rejects %s and writes nothing', async (_label, override, grpcStatus, code) => {
    const cat = await category('Bad');
    const before = {
      products: await count('products'),
      skus: await count('skus'),
      outbox: await count('outbox'),
    };
    const req = {
      title: 'Valid',
      categoryId: cat.id,
      skus: [{ code: `OK-${uniqueSuffix()}`, price: { amountMinor: 1, currency: 'CNY' } }],
      ...override,
    };
    await expectGrpcError(call('createProduct', req), grpcStatus, code);
    expect({
      products: await count('products'),
      skus: await count('skus'),
      outbox: await count('outbox'),
    }).toEqual(before);
  });

  it('rejects a SKU code that another product owns, atomically', async () => {
    const cat = await category('Dup');
    const code = `DUP-${uniqueSuffix()}`;
    await product(cat.id, code);
    const before = await count('products');
    await expectGrpcError(
      call('createProduct', {
        title: 'Second',
        categoryId: cat.id,
        skus: [{ code, price: { amountMinor: 1, currency: 'CNY' } }],
      }),
      status.ALREADY_EXISTS,
      'SKU_CODE_TAKEN',
    );
    expect(await count('products')).toBe(before);
  });

  it('updates with optimistic concurrency and ignores no-op patches', async () => {
    const cat = await category('Upd');
    const p = await product(cat.id, `UP-${uniqueSuffix()}`);
    const outboxBefore = await count('outbox');
    const same = (
      await call<catalogV1.UpdateProductResponse>('updateProduct', { id: p.id, title: p.title })
    ).product!;
    expect(same.version).toBe(p.version);
    expect(await count('outbox')).toBe(outboxBefore);
    const up = (
      await call<catalogV1.UpdateProductResponse>('updateProduct', {
        id: p.id,
        title: 'New title',
        expectedVersion: p.version,
      })
    ).product!;
    expect(up).toMatchObject({ title: 'New title', version: p.version + 1 });
    await expectGrpcError(
      call('updateProduct', { id: p.id, title: 'Stale', expectedVersion: p.version }),
      status.ABORTED,
      'PRODUCT_VERSION_CONFLICT',
    );
    await expectGrpcError(
      call('updateProduct', { id: p.id, status: 'PRODUCT_STATUS_DRAFT' }),
      status.FAILED_PRECONDITION,
      'PRODUCT_STATUS_TRANSITION',
    );
  });

  it('never lets concurrent stock removals take on-hand below zero', async () => {
    const cat = await category('Stock');
    const p = await product(cat.id, `ST-${uniqueSuffix()}`);
    const skuId = p.skus[0].id;
    await call('adjustStock', { skuId, warehouseCode: 'sh-1', delta: 10, reason: 'receive' });
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () =>
        call('adjustStock', { skuId, warehouseCode: 'SH-1', delta: -1, reason: 'sale' }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => fromGrpcError((r as PromiseRejectedResult).reason).code);
    expect(ok).toBe(10);
    expect(refused).toEqual(Array(15).fill('STOCK_INSUFFICIENT'));
    const stock = await call<catalogV1.GetStockResponse>('getStock', { skuId });
    expect(stock).toMatchObject({ totalOnHand: 0, levels: [{ warehouseCode: 'SH-1', onHand: 0 }] });
    const movements = await catalog.pg.query(
      `SELECT sum(delta)::int AS total, count(*)::int AS n FROM stock_movements WHERE sku_id = $1`,
      [skuId],
    );
    expect(movements.rows[0]).toEqual({ total: 0, n: 11 });
    const after = (await call<catalogV1.GetProductResponse>('getProduct', { id: p.id })).product!;
    expect(after.version).toBe(p.version + 11);
    await expectGrpcError(
      call('adjustStock', { skuId, warehouseCode: 'SH-1', delta: 0, reason: '' }),
      status.INVALID_ARGUMENT,
      'STOCK_DELTA_INVALID',
    );
    await expectGrpcError(
      call('adjustStock', {
        skuId: '018f0000-0000-7000-8000-000000000000',
        warehouseCode: 'SH-1',
        delta: 1,
        reason: '',
      }),
      status.NOT_FOUND,
      'SKU_NOT_FOUND',
    );
  });

  it('lists products of a category subtree with cursor pagination', async () => {
    const top = await category('Top');
    const sub = await category('Sub', top.id);
    const ids = [
      await product(top.id, `L1-${uniqueSuffix()}`),
      await product(sub.id, `L2-${uniqueSuffix()}`),
      await product(sub.id, `L3-${uniqueSuffix()}`),
    ].map((p) => p.id);
    const first = await call<catalogV1.ListProductsResponse>('listProducts', {
      categoryId: top.id,
      pageSize: 2,
    });
    const second = await call<catalogV1.ListProductsResponse>('listProducts', {
      categoryId: top.id,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect([...first.products, ...second.products].map((p) => p.id)).toEqual(ids);
    expect(second.nextPageToken).toBe('');
    const onlySub = await call<catalogV1.ListProductsResponse>('listProducts', {
      categoryId: sub.id,
    });
    expect(onlySub.products.map((p) => p.id)).toEqual(ids.slice(1));
    await expectGrpcError(
      call('listProducts', { pageToken: '%%%' }),
      status.INVALID_ARGUMENT,
      'INVALID_CURSOR',
    );
  });
});
