import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { testEnv, testLogger } from '@emporia/testing';
import type { ProductIndex } from '../src/application/ports';
import { toProductDocument } from '../src/domain/product-document';
import { toCriteria } from '../src/domain/search-criteria';
import { CachedProductIndex } from '../src/infrastructure/cached-search';
import { ElasticsearchProductIndex } from '../src/infrastructure/elasticsearch-product-index';
import { facetPrint } from '../src/infrastructure/facet-print';
import { ElasticsearchSearcher } from '../src/infrastructure/elasticsearch-searcher';
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
  const searcher = new ElasticsearchSearcher(testEnv.elasticsearchUrl());
  const index = new ElasticsearchProductIndex(es, prefix, testLogger('search'), searcher);
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
    search: (...args: Parameters<ProductIndex['search']>) => {
      asked++;
      withFacets.push(args[0].size === 0 ? 'counts only' : !!args[0].facets);
      return index.search(...args);
    },
  });

  beforeAll(async () => {
    await index.ensureIndex();
  });
  afterAll(async () => {
    await fetch(`${testEnv.elasticsearchUrl()}/${prefix}*`, { method: 'DELETE' });
    await es.close();
    await searcher.close();
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

  it('answers another order of a search with its hits from Elasticsearch and the facets counted before, counted again at once when a product enters, changes in or leaves the matches', async () => {
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
    const putBranded = async (
      brand: string,
      amountMinor: number,
      title = `${brandToken} phone`,
    ) => {
      const id = randomUUID();
      const sku = aSnapshot({ id }).skus[0];
      const product = aSnapshot({
        id,
        title,
        brand,
        skus: [{ ...sku, amountMinor, attributes: { colour: amountMinor % 2 ? '黑色' : '白色' } }],
      });
      await index.upsert(toProductDocument(product, 'e', new Map(), new Date()));
      let current = product;
      // each write is the product's next version, on top of the last
      const write = (over: Partial<typeof product>) => {
        current = { ...current, ...over, version: current.version + 1 };
        return index.upsert(toProductDocument(current, 'e', new Map(), new Date()));
      };
      return {
        rebrand: (to: string) => write({ brand: to }),
        archive: () => write({ status: 'ARCHIVED' }),
      };
    };
    const refresh = () => es.indices.refresh({ index: index.alias });
    for (const [brand, price] of [
      ['华为', 1000],
      ['华为', 2001],
      ['小米', 3000],
    ] as const)
      await putBranded(brand, price);
    await refresh();
    const cached = new CachedProductIndex(counting, {
      ttlMs: 0,
      maxEntries: 100,
      facetTtlMs: 60_000,
    });
    withFacets.length = 0;
    const first = await cached.search(search('RELEVANCE'));
    expect(first.facets!.brands).toHaveLength(2);
    expect(first).not.toHaveProperty('matched');
    // the same search by price, and filtered by a brand (a post filter): hits only asked, and
    // the answer is what one request with its facets answers
    for (const c of [search('PRICE_ASC'), search('PRICE_ASC', ['华为'])]) {
      const held = await cached.search(c);
      const whole = await index.search(c);
      expect(held.hits.map((h) => h.document.product_id)).toEqual(
        whole.hits.map((h) => h.document.product_id),
      );
      expect([held.total, held.after]).toEqual([whole.total, whole.after]);
      expect(held.facets).toEqual(whole.facets);
      // next pages too
      const next = await cached.search(c, held.after);
      const wholeNext = await index.search(c, whole.after);
      expect(next.hits.map((h) => h.document.product_id)).toEqual(
        wholeNext.hits.map((h) => h.document.product_id),
      );
      expect(next.facets).toEqual(whole.facets);
    }
    expect(withFacets).toEqual([true, false, false, true, false]);
    const brands = (page: { facets?: { brands: { value: string; count: number }[] } }) =>
      page.facets!.brands.map((b) => `${b.value} ${b.count}`).sort();
    // a product of a third brand: a hit, in the total and in the counts at once
    const third = await putBranded('联想', 500);
    await refresh();
    const soon = await cached.search(search('PRICE_ASC'));
    expect([soon.total, soon.hits[0].document.brand]).toEqual([4, '联想']);
    expect(brands(soon)).toEqual(['华为 2', '小米 1', '联想 1']);
    // the hits alone, then (the matches changed) the counts alone
    expect(withFacets.slice(-2)).toEqual([false, 'counts only']);
    // its brand changes (the same total): in the hit and the counts at once
    await third.rebrand('漫步者');
    await refresh();
    const renamed = await cached.search(search('PRICE_ASC'));
    expect([renamed.total, renamed.hits[0].document.brand]).toEqual([4, '漫步者']);
    expect(brands(renamed)).toEqual(['华为 2', '小米 1', '漫步者 1']);
    // the matches had changed at the last check: hits and facets asked together, one request
    expect(withFacets.at(-1)).toBe(true);
    // a product that does not match is written: asked whole once more (the matches had changed
    // at the last check), they have not changed since: settled, the next asks its hits only
    await putBranded('小米', 4000, `other${randomUUID().slice(0, 8)} laptop`);
    await refresh();
    expect(brands(await cached.search(search('PRICE_ASC')))).toEqual(brands(renamed));
    expect(withFacets.at(-1)).toBe(true);
    expect(brands(await cached.search(search('PRICE_ASC')))).toEqual(brands(renamed));
    expect(withFacets.at(-1)).toBe(false);
    // it leaves the matches (archived): out of the total and the counts at once
    await third.archive();
    await refresh();
    const left = await cached.search(search('PRICE_ASC'));
    expect(left.total).toBe(3);
    expect(brands(left)).toEqual(['华为 2', '小米 1']);
    expect(withFacets.slice(-2)).toEqual([false, 'counts only']);
    // and every answer above is Elasticsearch's own count for the search at that moment
    expect(left.facets).toEqual((await index.search(search('PRICE_ASC'))).facets);
  });

  it('tells which products match: the same string exactly while the same products match with the same facet values', async () => {
    const t = `tok${randomUUID().slice(0, 8)}`;
    const c = toCriteria({ query: t, categoryId: '', currency: '', pageSize: 1 });
    const matched = async () => (await index.search(c, undefined, { matched: true })).matched;
    const doc = (id: string, over: Parameters<typeof aSnapshot>[0] = {}) =>
      toProductDocument(
        aSnapshot({ id, title: `${t} phone`, ...over }),
        'e',
        new Map(),
        new Date(),
      );
    const printed = (...docs: ReturnType<typeof doc>[]) => {
      const prints = docs.map((d) => facetPrint(d).facet_print);
      const sum = prints.reduce((n, p) => n + p, 0);
      return `${docs.length}:${sum}:${Math.min(...prints)}:${Math.max(...prints)}`;
    };
    await es.indices.refresh({ index: index.alias });
    // nothing matches
    expect(await matched()).toBe('0');
    const [a, b] = [randomUUID(), randomUUID()];
    await index.upsert(doc(a));
    await index.upsert(doc(b));
    await es.indices.refresh({ index: index.alias });
    const two = await matched();
    // the count and the prints' sum, lowest and highest, exactly
    expect(two).toBe(printed(doc(a), doc(b)));
    // not asked: not answered
    expect((await index.search(c)).matched).toBeUndefined();
    // a write of a product that does not match: unchanged
    await index.upsert(doc(randomUUID(), { title: 'unrelated laptop' }));
    await es.indices.refresh({ index: index.alias });
    expect(await matched()).toBe(two);
    // a matching product sold (a new version: its stock, sales and title change): unchanged
    const sold = aSnapshot({ id: a, title: `${t} phone Pro`, version: 2, unitsSold: 3 });
    sold.skus[0].stockOnHand = 0;
    await index.upsert(toProductDocument(sold, 'e', new Map(), new Date()));
    await es.indices.refresh({ index: index.alias });
    expect(await matched()).toBe(two);
    // a matching product's brand changes (the same count): changed
    await index.upsert(doc(a, { version: 3, brand: 'OPPO' }));
    await es.indices.refresh({ index: index.alias });
    const rebranded = await matched();
    expect(rebranded).toBe(printed(doc(a, { brand: 'OPPO' }), doc(b)));
    expect(rebranded).not.toBe(two);
    // a rating rewrites the document with its print: unchanged
    await index.setRating(a, { rating_average: 4.5, review_count: 2, rating_version: 1 });
    await es.indices.refresh({ index: index.alias });
    expect(await matched()).toBe(rebranded);
    // one leaves: changed
    await index.upsert(doc(b, { version: 2, status: 'ARCHIVED' }));
    await es.indices.refresh({ index: index.alias });
    expect(await matched()).toBe(printed(doc(a, { brand: 'OPPO' })));
    // a matching document without a print (written by an older release): no answer, so the
    // counts are not held while it matches
    const old = doc(randomUUID());
    await es.index({ index: index.alias, id: old.product_id, document: old });
    await es.indices.refresh({ index: index.alias });
    expect(await matched()).toBeUndefined();
  });
});
