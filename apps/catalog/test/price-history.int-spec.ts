import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { type catalogV1 } from '@emporia/contracts';
import { uniqueSuffix } from '@emporia/testing';
import { PriceHistory1765000000400 } from '../src/infrastructure/migrations/1765000000400-price-history';
import {
  type CatalogUnderTest,
  failure,
  rerunMigration,
  startTestCatalog,
} from './support/catalog-under-test';

jest.setTimeout(120_000);

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

/**
 * Price history and the original-price rule on real Postgres over gRPC: the 30-day window is
 * exercised with back-dated history rows (the service's clock is the real one).
 */
describe('catalog price history (real Postgres + Kafka)', () => {
  let catalog: CatalogUnderTest;
  const call = <T>(method: string, req: unknown) => catalog.call<T>(method, req);
  /** Moves every history row of the SKU `days` further into the past. */
  const backdate = (skuId: string, days: number) =>
    catalog.pg.query(
      `UPDATE sku_price_history SET changed_at = changed_at - make_interval(days => $2) WHERE sku_id = $1`,
      [skuId, days],
    );

  beforeAll(async () => {
    catalog = await startTestCatalog('catalog_price_it', {
      OUTBOX_POLL_MS: '50',
      CURRENCIES: 'CNY',
    });
  });

  afterAll(() => catalog?.close());

  async function product(priceMinor: number) {
    const cat = (
      await call<catalogV1.CreateCategoryResponse>('createCategory', {
        name: 'Tea',
        slug: `tea-${uniqueSuffix()}`,
      })
    ).category!;
    return (
      await call<catalogV1.CreateProductResponse>('createProduct', {
        title: 'Tea cup',
        categoryId: cat.id,
        skus: [{ code: `CUP-${uniqueSuffix()}`, price: cny(priceMinor) }],
      })
    ).product!;
  }
  const setPrice = (req: Partial<catalogV1.SetSkuPriceRequest>) =>
    call<catalogV1.SetSkuPriceResponse>('setSkuPrice', {
      reason: 'manual',
      actorId: 'op-1',
      requestId: randomUUID(),
      ...req,
    });

  it('refuses an original price above the lowest price of the previous 30 days', async () => {
    const p = await product(10000);
    const skuId = p.skus[0].id;
    await backdate(skuId, 40); // 100.00 since 40 days ago
    await setPrice({ skuId, price: cny(9000) });
    await backdate(skuId, 20); // 90.00 since 20 days ago
    await setPrice({ skuId, price: cny(9500) }); // 95.00 since now

    const tooHigh = await failure(setPrice({ skuId, price: cny(8000), originalPrice: cny(9500) }));
    expect(tooHigh).toMatchObject({
      status: status.FAILED_PRECONDITION,
      code: 'ORIGINAL_PRICE_TOO_HIGH',
      details: { field: 'original_price', max_minor: 9000, currency: 'CNY' },
    });
    const notAbove = await failure(setPrice({ skuId, price: cny(8000), originalPrice: cny(8000) }));
    expect(notAbove).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'ORIGINAL_PRICE_NOT_ABOVE_PRICE',
    });

    const ok = await setPrice({
      skuId,
      price: cny(8000),
      originalPrice: cny(9000),
      reference: 'r-1',
    });
    expect(ok.product!.skus[0]).toMatchObject({ price: cny(8000), originalPrice: cny(9000) });
    expect(ok.change).toMatchObject({
      previousPrice: cny(9500),
      originalPrice: cny(9000),
      reference: 'r-1',
      actorId: 'op-1',
    });

    // 11 more days: the 90.00 ended 31 days ago; 95.00 and 80.00 remain
    await backdate(skuId, 11);
    const h = await call<catalogV1.GetSkuPriceHistoryResponse>('getSkuPriceHistory', {
      skuId,
      limit: 10,
    });
    // proto-loader's name of lowest_price_30d (see the controller)
    expect((h as unknown as Record<string, unknown>).lowestPrice_30d).toEqual(cny(8000));
    expect(
      h.changes.map((c) => [c.reason, c.price!.amountMinor, c.previousPrice?.amountMinor ?? null]),
    ).toEqual([
      ['manual', 8000, 9500],
      ['manual', 9500, 9000],
      ['manual', 9000, 10000],
      ['create', 10000, null],
    ]);
    const two = await call<catalogV1.GetSkuPriceHistoryResponse>('getSkuPriceHistory', {
      skuId,
      limit: 2,
    });
    expect(two.changes).toHaveLength(2);
  });

  it('SetSkuPrice is idempotent by request id and emits ProductUpdated once', async () => {
    const p = await product(5000);
    const skuId = p.skus[0].id;
    const requestId = randomUUID();
    const outbox = async () =>
      Number(
        (await catalog.pg.query(`SELECT count(*) AS n FROM outbox WHERE message_key = $1`, [p.id]))
          .rows[0].n,
      );
    const before = await outbox();
    const [a, b] = await Promise.all([
      setPrice({ skuId, price: cny(4500), requestId }),
      setPrice({ skuId, price: cny(4500), requestId }),
    ]);
    expect(a.change).toEqual(b.change);
    expect(a.product!.version).toBe(p.version + 1);
    expect(b.product!.version).toBe(p.version + 1);
    expect(await outbox()).toBe(before + 1);
    const rows = await catalog.pg.query(
      `SELECT count(*) AS n FROM sku_price_history WHERE request_id = $1`,
      [requestId],
    );
    expect(Number(rows.rows[0].n)).toBe(1);
    const reused = await failure(setPrice({ skuId, price: cny(4000), requestId }));
    expect(reused).toMatchObject({ status: status.FAILED_PRECONDITION, code: 'REQUEST_ID_REUSED' });
    const badId = await failure(setPrice({ skuId, price: cny(4000), requestId: 'x' }));
    expect(badId).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'ID_INVALID',
      details: { field: 'request_id' },
    });
  });

  it('UpdateProduct records its price changes and applies the rule', async () => {
    const p = await product(3000);
    const sku = p.skus[0];
    const tooHigh = await failure(
      call('updateProduct', {
        id: p.id,
        upsertSkus: [{ code: sku.code, price: cny(2500), originalPrice: cny(3100) }],
      }),
    );
    expect(tooHigh).toMatchObject({
      code: 'ORIGINAL_PRICE_TOO_HIGH',
      details: { max_minor: 3000 },
    });
    const up = await call<catalogV1.UpdateProductResponse>('updateProduct', {
      id: p.id,
      upsertSkus: [{ code: sku.code, price: cny(2500), originalPrice: cny(3000) }],
    });
    expect(up.product!.skus[0].originalPrice).toEqual(cny(3000));
    const got = await call<catalogV1.GetProductResponse>('getProduct', { id: p.id });
    expect(got.product!.skus[0].originalPrice).toEqual(cny(3000));
    const h = await call<catalogV1.GetSkuPriceHistoryResponse>('getSkuPriceHistory', {
      skuId: sku.id,
    });
    expect(h.changes.map((c) => c.reason)).toEqual(['update', 'create']);
  });

  // last: it drops and re-creates the history over the SKUs the tests above made
  it('the migration backfills one row per SKU with its current price', async () => {
    await rerunMigration(new PriceHistory1765000000400(), catalog.pg);
    const skus = (
      await catalog.pg.query(`SELECT id, price_amount_minor::int AS price FROM skus ORDER BY id`)
    ).rows as { id: string; price: number }[];
    expect(skus.length).toBeGreaterThanOrEqual(3);
    const rows = (
      await catalog.pg.query(
        `SELECT sku_id AS id, price_minor::int AS price, reason, previous_price_minor
         FROM sku_price_history ORDER BY sku_id`,
      )
    ).rows as { id: string; price: number; reason: string; previous_price_minor: null }[];
    expect(rows).toEqual(
      skus.map((s) => ({ ...s, reason: 'backfill', previous_price_minor: null })),
    );
  });
});
