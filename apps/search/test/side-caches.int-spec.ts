import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { testEnv, testLogger } from '@emporia/testing';
import type { FlashSaleRecord } from '../src/domain/flash-offer';
import { CachedCategoryNames, CachedFlashSales } from '../src/infrastructure/cached-stores';
import {
  EsCategoryNames,
  EsFlashSales,
  SearchStores,
} from '../src/infrastructure/elasticsearch-stores';

/**
 * The staleness bounds of the side caches (README "Side caches"), on the real Elasticsearch: two
 * instances over one store, as two replicas of the service are. Each test waits exactly the bound
 * and then requires the change: it fails if the bound is broken.
 */
describe('side caches (real Elasticsearch)', () => {
  const REFRESH_MS = 300;
  const prefix = `it-side-${randomUUID().slice(0, 8)}-`;
  const es = new Client({ node: testEnv.elasticsearchUrl() });
  const stores = new SearchStores(es, prefix);
  const logger = testLogger('search');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const sale = (over: Partial<FlashSaleRecord> = {}): FlashSaleRecord => ({
    saleId: randomUUID(),
    skuId: randomUUID(),
    productId: randomUUID(),
    priceMinor: 9900,
    currency: 'CNY',
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    ...over,
  });
  const ids = (xs: FlashSaleRecord[]) => xs.map((s) => s.saleId).sort();

  beforeAll(async () => {
    await stores.ensure();
  });
  afterAll(async () => {
    await fetch(`${testEnv.elasticsearchUrl()}/${prefix}*`, { method: 'DELETE' });
    await es.close();
  });

  it('shows a flash sale at once on the instance that stored it, on another within 2 × the refresh interval', async () => {
    const a = new CachedFlashSales(new EsFlashSales(stores), logger, {
      refreshMs: REFRESH_MS,
      limit: 100,
    });
    const b = new CachedFlashSales(new EsFlashSales(stores), logger, {
      refreshMs: REFRESH_MS,
      limit: 100,
    });
    await Promise.all([a.start(), b.start()]);
    try {
      const s = sale();
      const ended = sale({
        productId: s.productId,
        endsAt: new Date(Date.now() - 1).toISOString(),
      });
      await a.put(ended);
      await a.put(s);
      expect(ids(await a.forProducts([s.productId], new Date()))).toEqual([s.saleId]);
      await sleep(2 * REFRESH_MS);
      expect(ids(await b.forProducts([s.productId], new Date()))).toEqual([s.saleId]);

      // a changed sale (a later end) replaces the one held, everywhere within the bound
      const moved = { ...s, priceMinor: 8800 };
      await a.put(moved);
      expect((await a.forProducts([s.productId], new Date()))[0].priceMinor).toBe(8800);
      await sleep(2 * REFRESH_MS);
      expect((await b.forProducts([s.productId], new Date()))[0].priceMinor).toBe(8800);

      // an instance whose reloads stop serves from the store once its list is too old
      await b.stop();
      const later = sale();
      await a.put(later);
      await sleep(2 * REFRESH_MS);
      expect(ids(await b.forProducts([later.productId], new Date()))).toEqual([later.saleId]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('queries the store when more sales are unended than the cache holds', async () => {
    const store = new EsFlashSales(stores);
    const one = sale();
    const two = sale({ productId: one.productId });
    await store.put(one);
    await store.put(two);
    const c = new CachedFlashSales(store, logger, { refreshMs: REFRESH_MS, limit: 1 });
    await c.start();
    try {
      expect(ids(await c.forProducts([one.productId], new Date()))).toEqual(ids([one, two]));
    } finally {
      await c.stop();
    }
  });

  it('shows a category name at once on the instance that stored it, on another within the time to live', async () => {
    const a = new CachedCategoryNames(new EsCategoryNames(stores), {
      ttlMs: REFRESH_MS,
      maxEntries: 100,
    });
    const b = new CachedCategoryNames(new EsCategoryNames(stores), {
      ttlMs: REFRESH_MS,
      maxEntries: 100,
    });
    const id = randomUUID();
    expect(await b.names([id])).toEqual(new Map()); // not found: held as such
    await a.put({ id, name: '手机', pathIds: [id] });
    expect(await a.names([id])).toEqual(new Map([[id, '手机']]));
    await sleep(REFRESH_MS);
    expect(await b.names([id])).toEqual(new Map([[id, '手机']]));

    await a.put({ id, name: '移动电话', pathIds: [id] });
    expect(await a.names([id])).toEqual(new Map([[id, '移动电话']]));
    await sleep(REFRESH_MS);
    expect(await b.names([id])).toEqual(new Map([[id, '移动电话']]));
  });
});
