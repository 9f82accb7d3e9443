import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { testEnv, testLogger } from '@emporia/testing';
import type { ProductIndex } from '../src/application/ports';
import { toProductDocument } from '../src/domain/product-document';
import { toCriteria } from '../src/domain/search-criteria';
import { CachedProductIndex } from '../src/infrastructure/cached-search';
import { ElasticsearchProductIndex } from '../src/infrastructure/elasticsearch-product-index';
import { aSnapshot } from '../src/testing/builders';

/**
 * The result cache's staleness bound (README "The result cache"), on the real Elasticsearch: a
 * change Elasticsearch already shows is shown through the cache at most TTL later, and
 * concurrent identical searches reach Elasticsearch once.
 */
describe('search result cache (real Elasticsearch)', () => {
  const TTL_MS = 800;
  const prefix = `it-rc-${randomUUID().slice(0, 8)}-`;
  const es = new Client({ node: testEnv.elasticsearchUrl() });
  const index = new ElasticsearchProductIndex(es, prefix, testLogger('search'));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const token = `tok${randomUUID().slice(0, 8)}`;
  const criteria = toCriteria({
    query: token,
    categoryId: '',
    currency: '',
    pageSize: 20,
    includeFacets: true,
  });
  const put = async (id: string) => {
    await index.upsert(
      toProductDocument(aSnapshot({ id, title: `${token} phone` }), 'e', new Map(), new Date()),
    );
    await es.indices.refresh({ index: index.alias });
  };
  /** The index, counting the searches that reach Elasticsearch (and whether facets were asked). */
  let asked = 0;
  const withFacets: (boolean | 'counts only')[] = [];
  const counting: ProductIndex = Object.assign(Object.create(index) as ProductIndex, {
    search: (c: Parameters<ProductIndex['search']>[0], after?: unknown[]) => {
      asked++;
      withFacets.push(c.size === 0 ? 'counts only' : !!c.facets);
      return index.search(c, after);
    },
  });

  beforeAll(async () => {
    await index.ensureIndex();
  });
  afterAll(async () => {
    await fetch(`${testEnv.elasticsearchUrl()}/${prefix}*`, { method: 'DELETE' });
    await es.close();
  });

  it('shows what Elasticsearch shows at most the TTL later, and no sooner from memory', async () => {
    const cached = new CachedProductIndex(counting, { ttlMs: TTL_MS, maxEntries: 100 });
    await put(randomUUID());
    expect((await cached.search(criteria)).total).toBe(1);
    // the page is kept from when Elasticsearch answered it
    const cachedAt = Date.now();
    await put(randomUUID());
    // Elasticsearch shows the second product now (refreshed); the page in memory does not yet
    expect((await index.search(criteria)).total).toBe(2);
    const early = await cached.search(criteria);
    if (Date.now() - cachedAt < TTL_MS) expect(early.total).toBe(1);
    // once the page is older than the TTL, the cache asks again and shows it
    await sleep(TTL_MS - (Date.now() - cachedAt) + 20);
    expect((await cached.search(criteria)).total).toBe(2);
  });

  it('sends concurrent identical searches to Elasticsearch once', async () => {
    const cached = new CachedProductIndex(counting, { ttlMs: TTL_MS, maxEntries: 100 });
    asked = 0;
    const pages = await Promise.all(Array.from({ length: 20 }, () => cached.search(criteria)));
    expect(asked).toBe(1);
    expect(new Set(pages.map((p) => p.total))).toEqual(new Set([2]));
  });

  it('answers another order of a search with its hits from Elasticsearch and the facets counted before, recounted when its total changes or they are older than the facet TTL', async () => {
    const FACET_TTL_MS = 1500;
    const brandToken = `tok${randomUUID().slice(0, 8)}`;
    const search = (sort: 'RELEVANCE' | 'PRICE_ASC', brands: string[] = []) =>
      toCriteria({
        query: brandToken,
        categoryId: '',
        currency: '',
        pageSize: 2,
        includeFacets: true,
        sort,
        brands,
      });
    const putBranded = async (brand: string, amountMinor: number) => {
      const id = randomUUID();
      const sku = aSnapshot({ id }).skus[0];
      const product = aSnapshot({
        id,
        title: `${brandToken} phone`,
        brand,
        skus: [{ ...sku, amountMinor, attributes: { colour: amountMinor % 2 ? '黑色' : '白色' } }],
      });
      await index.upsert(toProductDocument(product, 'e', new Map(), new Date()));
      return {
        rebrand: (to: string) =>
          index.upsert(
            toProductDocument({ ...product, brand: to, version: 2 }, 'e', new Map(), new Date()),
          ),
      };
    };
    for (const [brand, price] of [
      ['华为', 1000],
      ['华为', 2001],
      ['小米', 3000],
    ] as const)
      await putBranded(brand, price);
    await es.indices.refresh({ index: index.alias });
    const cached = new CachedProductIndex(counting, {
      ttlMs: 0,
      maxEntries: 100,
      facetTtlMs: FACET_TTL_MS,
    });
    withFacets.length = 0;
    const first = await cached.search(search('RELEVANCE'));
    expect(first.facets!.brands).toHaveLength(2);
    // the same search by price, and filtered by a brand (a post filter): hits only asked, and
    // the answer is what one request with its facets answers
    for (const c of [search('PRICE_ASC'), search('PRICE_ASC', ['华为'])]) {
      const held = await cached.search(c);
      const whole = await index.search(c);
      expect(held.hits.map((h) => h.document.product_id)).toEqual(
        whole.hits.map((h) => h.document.product_id),
      );
      expect([held.total, held.after]).toEqual([whole.total, whole.after]);
      if (c.brands.length === 0) expect(held.facets).toEqual(whole.facets);
      // next pages too
      const next = await cached.search(c, held.after);
      const wholeNext = await index.search(c, whole.after);
      expect(next.hits.map((h) => h.document.product_id)).toEqual(
        wholeNext.hits.map((h) => h.document.product_id),
      );
    }
    expect(withFacets).toEqual([true, false, false, true, false]);
    // a product of a third brand: a hit, in the total and (the total changed) in the counts at once
    const third = await putBranded('联想', 500);
    await es.indices.refresh({ index: index.alias });
    const soon = await cached.search(search('PRICE_ASC'));
    expect([soon.total, soon.hits[0].document.brand]).toEqual([4, '联想']);
    expect(soon.facets!.brands).toHaveLength(3);
    // the hits alone, then (the total changed) the counts alone
    expect(withFacets.slice(-2)).toEqual([false, 'counts only']);
    const recountedAt = Date.now();
    // its brand changes (the same total): the hit shows it at once, the counts once they are
    // older than the facet TTL
    await third.rebrand('漫步者');
    await es.indices.refresh({ index: index.alias });
    const renamed = await cached.search(search('PRICE_ASC'));
    expect(renamed.hits[0].document.brand).toBe('漫步者');
    const brands = (page: typeof renamed) => page.facets!.brands.map((b) => b.value).sort();
    if (Date.now() - recountedAt < FACET_TTL_MS) expect(brands(renamed)).toContain('联想');
    await sleep(FACET_TTL_MS - (Date.now() - recountedAt) + 20);
    const later = await cached.search(search('PRICE_ASC'));
    expect(brands(later)).toEqual(['华为', '小米', '漫步者'].sort());
  });
});
