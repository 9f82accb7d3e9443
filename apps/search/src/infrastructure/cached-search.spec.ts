import { toCriteria } from '../domain/search-criteria';
import { toProductDocument, type ProductSnapshot } from '../domain/product-document';
import { aSnapshot } from '../testing/builders';
import { InMemoryProductIndex } from '../testing/in-memory';
import { CachedProductIndex, facetKey } from './cached-search';

describe('CachedProductIndex (search pages from memory for a bounded time)', () => {
  let clock = 0;
  let inner: InMemoryProductIndex;
  let cached: CachedProductIndex;
  const base = { query: 'phone', categoryId: '', currency: '', pageSize: 20 };
  const doc = (over: Partial<ProductSnapshot>) =>
    toProductDocument(aSnapshot(over), 'e', new Map(), new Date());
  const phones = toCriteria({ ...base, includeFacets: true });

  beforeEach(async () => {
    clock = 1_000_000;
    inner = new InMemoryProductIndex();
    await inner.upsert(doc({ id: 'p1', title: 'Aurora phone', brand: '华为' }));
    cached = new CachedProductIndex(inner, { ttlMs: 1000, maxEntries: 3, now: () => clock });
  });

  it('answers the same search from memory until the page is older than ttl, then asks the index', async () => {
    const first = await cached.search(phones);
    expect(first.total).toBe(1);
    // a change indexed meanwhile is not seen within the bound...
    await inner.upsert(doc({ id: 'p2', title: 'Nova phone', brand: '小米' }));
    clock += 1000;
    expect((await cached.search(phones)).total).toBe(1);
    expect(inner.searches).toHaveLength(1);
    // ...and is seen once the page is older than ttl
    clock += 1;
    expect((await cached.search(phones)).total).toBe(2);
    expect(inner.searches).toHaveLength(2);
  });

  it('shares a page only between searches that would ask the index the same thing', async () => {
    const variants = [
      phones,
      toCriteria({ ...base, includeFacets: false }),
      toCriteria({ ...base, pageSize: 10, includeFacets: true }),
      toCriteria({ ...base, includeFacets: true, brands: ['华为'] }),
      toCriteria({ ...base, includeFacets: true, sort: 'PRICE_ASC' }),
      toCriteria({ ...base, includeFacets: true }, ['phone', 'mobile']),
    ];
    const big = new CachedProductIndex(inner, { ttlMs: 1000, maxEntries: 100, now: () => clock });
    for (const c of variants) await big.search(c);
    // the next page of a search (its cursor) is a search of its own
    await big.search(phones, [1, 'p1']);
    expect(inner.searches).toHaveLength(variants.length + 1);
    for (const c of variants) await big.search(c);
    await big.search(phones, [1, 'p1']);
    expect(inner.searches).toHaveLength(variants.length + 1);
  });

  it('sends concurrent misses of one search to the index once', async () => {
    const pages = await Promise.all(Array.from({ length: 50 }, () => cached.search(phones)));
    expect(inner.searches).toHaveLength(1);
    expect(new Set(pages.map((p) => p.hits)).size).toBe(1);
  });

  it('says how much longer each page is kept: a caller holding a copy stays within the same bound', async () => {
    expect((await cached.search(phones)).reusableForMs).toBe(1000);
    clock += 400;
    expect((await cached.search(phones)).reusableForMs).toBe(600);
    clock += 600;
    expect((await cached.search(phones)).reusableForMs).toBe(0);
    // past its time: asked again, kept for the whole ttl from the new answer
    clock += 1;
    expect((await cached.search(phones)).reusableForMs).toBe(1000);
    expect(inner.searches).toHaveLength(2);
  });

  it('does not keep a failure: the next search asks the index again', async () => {
    inner.failing = true;
    await expect(cached.search(phones)).rejects.toThrow('index unavailable');
    inner.failing = false;
    expect((await cached.search(phones)).total).toBe(1);
  });

  it('holds at most maxEntries pages, dropping the least recently used', async () => {
    const q = (query: string) => toCriteria({ ...base, query });
    for (const text of ['a', 'b', 'c']) await cached.search(q(text));
    await cached.search(q('a')); // a is now the most recently used
    await cached.search(q('d')); // drops b
    const before = inner.searches.length;
    await cached.search(q('a'));
    await cached.search(q('c'));
    await cached.search(q('d'));
    expect(inner.searches.length).toBe(before);
    await cached.search(q('b'));
    expect(inner.searches.length).toBe(before + 1);
  });

  it('answers a search whose page was pushed out of the cache while Elasticsearch was still answering it', async () => {
    const slow = new InMemoryProductIndex();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const first = await inner.search(phones);
    slow.search = async (c) => {
      if (c.text === 'phone') await held;
      return { ...first, total: c.text === 'phone' ? 7 : 0 };
    };
    const small = new CachedProductIndex(slow, { ttlMs: 1000, maxEntries: 2, now: () => clock });
    const waiting = small.search(phones);
    // two other searches fill the cache and push the one in flight out
    await small.search({ ...phones, text: 'a', textVariants: ['a'] });
    await small.search({ ...phones, text: 'b', textVariants: ['b'] });
    release();
    expect((await waiting).total).toBe(7);
  });

  it('passes writes and lookups straight to the index', async () => {
    const p3 = doc({ id: 'p3', title: 'phone case', brand: '华为' });
    expect(await cached.upsert(p3)).toBe('applied');
    expect(inner.docs.has('p3')).toBe(true);
    expect(await cached.upsert(p3)).toBe('stale');
    expect(await cached.productOfSku('p3-sku-1')).toBe('p3');
  });

  describe('facet counts held for the same search in another order or page, while the same products match', () => {
    let faceted: CachedProductIndex;
    const sorted = (sort: 'RELEVANCE' | 'PRICE_ASC' | 'NEWEST' | 'SALES', over = {}) =>
      toCriteria({ ...base, includeFacets: true, sort, ...over });
    const asked = () =>
      inner.searches.map(
        (c) => `${c.sort}${c.facets ? '+facets' : ''}${c.size === 0 ? ' (counts only)' : ''}`,
      );

    beforeEach(() => {
      faceted = new CachedProductIndex(inner, {
        ttlMs: 1000,
        maxEntries: 100,
        facetTtlMs: 10_000,
        now: () => clock,
      });
    });

    it('asks only the hits of a search whose facets were counted for another order, and shows those facets', async () => {
      const first = await faceted.search(sorted('RELEVANCE'));
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC']);
      expect(byPrice.facets).toEqual(first.facets);
      expect(byPrice.facets!.brands).toEqual([{ value: '华为', count: 1 }]);
      expect(byPrice.total).toBe(1);
    });

    it('holds the counts while the same products match unchanged, for up to facetTtlMs', async () => {
      await faceted.search(sorted('RELEVANCE'));
      // a product that does not match the search is written: the counts still hold
      await inner.upsert(doc({ id: 'l1', title: 'Orbit laptop', brand: '联想' }));
      clock += 10_000;
      expect((await faceted.search(sorted('PRICE_ASC'))).facets!.brands).toEqual([
        { value: '华为', count: 1 },
      ]);
      // held longer than facetTtlMs: counted again, with the page
      clock += 1;
      await faceted.search(sorted('NEWEST'));
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC', 'NEWEST+facets']);
    });

    it('counts again at once when a product that matches changes, though the total does not', async () => {
      await faceted.search(sorted('RELEVANCE'));
      // the product's brand changes: the same results, the same total
      await inner.upsert(doc({ id: 'p1', title: 'Aurora phone', brand: '小米', version: 2 }));
      clock += 1001;
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      expect(byPrice.hits[0].document.brand).toBe('小米');
      expect(byPrice.total).toBe(1);
      // the counts show the change together with the hit
      expect(byPrice.facets!.brands).toEqual([{ value: '小米', count: 1 }]);
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC', 'PRICE_ASC+facets (counts only)']);
    });

    it('holds the counts when a matching product changes only what no facet counts (stock, sales, title)', async () => {
      await faceted.search(sorted('RELEVANCE'));
      const sold = aSnapshot({ id: 'p1', title: 'Aurora phone Pro', brand: '华为', version: 2 });
      sold.skus[0].stockOnHand = 1;
      await inner.upsert(toProductDocument({ ...sold, unitsSold: 4 }, 'e2', new Map(), new Date()));
      clock += 1001;
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      // the hit is fresh, the counts held
      expect(byPrice.hits[0].document.title).toBe('Aurora phone Pro');
      expect(byPrice.hits[0].document.units_sold).toBe(4);
      expect(byPrice.facets!.brands).toEqual([{ value: '华为', count: 1 }]);
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC']);
    });

    it('holds nothing while the index cannot tell which products match', async () => {
      const search = inner.search.bind(inner);
      inner.search = async (c, after, opts) => ({
        ...(await search(c, after, opts)),
        matched: undefined,
      });
      await faceted.search(sorted('RELEVANCE'));
      await faceted.search(sorted('PRICE_ASC'));
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC+facets']);
    });

    it('counts again at once when a product leaves the matches', async () => {
      await inner.upsert(doc({ id: 'p2', title: 'Nova phone', brand: '小米' }));
      await faceted.search(sorted('RELEVANCE'));
      await inner.upsert(doc({ id: 'p2', title: 'Nova phone', status: 'ARCHIVED', version: 2 }));
      clock += 1001;
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      expect(byPrice.total).toBe(1);
      expect(byPrice.facets!.brands).toEqual([{ value: '华为', count: 1 }]);
    });

    it('counts again at once when a product enters the matches', async () => {
      await faceted.search(sorted('RELEVANCE'));
      await inner.upsert(doc({ id: 'p2', title: 'Nova phone', brand: '小米' }));
      clock += 1001;
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      expect(byPrice.total).toBe(2);
      expect(byPrice.facets!.brands.map((b) => b.value).sort()).toEqual(['华为', '小米']);
      expect(byPrice.hits.map((h) => h.document.product_id).sort()).toEqual(['p1', 'p2']);
      // the hits were asked alone, then the counts alone (not the whole search again); the new
      // counts are held
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC', 'PRICE_ASC+facets (counts only)']);
      expect(byPrice.reusableForMs).toBe(1000);
      // the matches had changed: the next search asks hits and facets together (one request), finds
      // them as counted, and settles: the one after asks its hits only
      expect((await faceted.search(sorted('NEWEST'))).facets!.brands).toHaveLength(2);
      expect(asked().at(-1)).toBe('NEWEST+facets');
      expect((await faceted.search(sorted('SALES'))).facets!.brands).toHaveLength(2);
      expect(asked().at(-1)).toBe('SALES');
    });

    it('asks a search whose matches keep changing whole, one request, until they stop', async () => {
      await faceted.search(sorted('RELEVANCE'));
      const enter = async (id: string) => {
        await inner.upsert(doc({ id, title: `${id} phone`, brand: '小米' }));
        clock += 1001;
      };
      await enter('p2');
      await faceted.search(sorted('PRICE_ASC')); // hits, then the counts: changed
      await enter('p3');
      const third = await faceted.search(sorted('NEWEST')); // whole: changed again
      await enter('p4');
      const fourth = await faceted.search(sorted('SALES')); // whole: changed again
      expect([third.total, fourth.total]).toEqual([3, 4]);
      expect(fourth.facets!.brands.map((b) => `${b.value} ${b.count}`).sort()).toEqual([
        '华为 1',
        '小米 3',
      ]);
      clock += 1001;
      await faceted.search(sorted('RELEVANCE')); // whole: as counted, settles
      clock += 1001;
      await faceted.search(sorted('PRICE_ASC')); // hits only
      expect(asked()).toEqual([
        'RELEVANCE+facets',
        'PRICE_ASC',
        'PRICE_ASC+facets (counts only)',
        'NEWEST+facets',
        'SALES+facets',
        'RELEVANCE+facets',
        'PRICE_ASC',
      ]);
    });

    it('asks hits and facets together when the results change again between the hits and the recount', async () => {
      await faceted.search(sorted('RELEVANCE'));
      await inner.upsert(doc({ id: 'p2', title: 'Nova phone', brand: '小米' }));
      clock += 1001;
      // a third product lands between the hits-only answer and the recount
      const search = inner.search.bind(inner);
      inner.search = async (c, after) => {
        if (c.size === 0) await inner.upsert(doc({ id: 'p3', title: 'Lumo phone', brand: 'OPPO' }));
        return search(c, after);
      };
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      expect(asked()).toEqual([
        'RELEVANCE+facets',
        'PRICE_ASC',
        'PRICE_ASC+facets (counts only)',
        'PRICE_ASC+facets',
      ]);
      // hits, total and counts from one answer
      expect(byPrice.total).toBe(3);
      expect(byPrice.hits).toHaveLength(3);
      expect(byPrice.facets!.brands.reduce((n, b) => n + b.count, 0)).toBe(3);
    });

    it('keeps a page showing held facets for the whole page bound: they counted its hits', async () => {
      await faceted.search(sorted('RELEVANCE'));
      clock += 9_600;
      const byPrice = await faceted.search(sorted('PRICE_ASC'));
      expect(byPrice.reusableForMs).toBe(1000);
      expect(byPrice).not.toHaveProperty('matched');
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC']);
    });

    it("uses a search's facets for its other pages and page sizes", async () => {
      await faceted.search(sorted('RELEVANCE'));
      await faceted.search(sorted('RELEVANCE'), [1, 'p1']);
      await faceted.search(sorted('RELEVANCE', { pageSize: 50 }));
      expect(asked()).toEqual(['RELEVANCE+facets', 'RELEVANCE', 'RELEVANCE']);
    });

    it('never shows the facets of another text or filter', async () => {
      const others = [
        sorted('PRICE_ASC', { query: 'nova' }),
        sorted('PRICE_ASC', { brands: ['华为'] }),
        sorted('PRICE_ASC', { tags: ['新品'] }),
        sorted('PRICE_ASC', { inStockOnly: true }),
        sorted('PRICE_ASC', { categoryId: 'c-1' }),
        sorted('PRICE_ASC', { currency: 'CNY', minPriceMinor: 100 }),
        sorted('PRICE_ASC', { minRating: 4 }),
        sorted('PRICE_ASC', { priceFacetEdges: [100, 200] }),
        toCriteria({ ...base, includeFacets: true, sort: 'PRICE_ASC' }, ['phone', 'mobile']),
      ];
      await faceted.search(sorted('RELEVANCE'));
      for (const c of others) await faceted.search(c);
      expect(new Set([sorted('RELEVANCE'), ...others].map(facetKey)).size).toBe(others.length + 1);
      expect(inner.searches.slice(1).every((c) => c.facets)).toBe(true);
      // a search without facets neither uses nor fills the held counts
      await faceted.search(sorted('NEWEST', { includeFacets: false }));
      expect(inner.searches.at(-1)!.facets).toBeUndefined();
    });

    it('holds facets without holding pages when the result cache is off', async () => {
      const noPages = new CachedProductIndex(inner, {
        ttlMs: 0,
        maxEntries: 100,
        facetTtlMs: 10_000,
        now: () => clock,
      });
      await noPages.search(sorted('RELEVANCE'));
      const again = await noPages.search(sorted('RELEVANCE'));
      expect(asked()).toEqual(['RELEVANCE+facets', 'RELEVANCE']);
      expect(again.facets!.brands).toHaveLength(1);
      expect(again.reusableForMs).toBeUndefined();
    });

    it('counts facets with every page when facetTtlMs is 0', async () => {
      await cached.search(sorted('RELEVANCE'));
      await cached.search(sorted('PRICE_ASC'));
      expect(asked()).toEqual(['RELEVANCE+facets', 'PRICE_ASC+facets']);
    });

    it('keeps nothing when the hits cannot be read', async () => {
      await faceted.search(sorted('RELEVANCE'));
      inner.failing = true;
      await expect(faceted.search(sorted('PRICE_ASC'))).rejects.toThrow('index unavailable');
      inner.failing = false;
      expect((await faceted.search(sorted('PRICE_ASC'))).total).toBe(1);
    });
  });
});
