import pino from 'pino';
import { toProductDocument } from '../domain/product-document';
import { SearchError } from '../domain/search-error';
import type { SearchCriteria } from '../domain/search-criteria';
import type { ProductIndex } from './ports';
import {
  aFlashSale,
  aSnapshot,
  CTX,
  InMemoryCatalogSource,
  InMemoryCategoryNames,
  InMemoryFlashSales,
  InMemoryIndexBuilder,
  InMemoryProductIndex,
  InMemoryProductRatings,
  InMemoryReindexJobs,
  InMemorySearchLog,
  InMemorySynonymStore,
} from '../testing';
import { ProductNotIndexedYet, ProjectionUseCases } from './catalog-events.use-case';
import { IndexProductSnapshotUseCase } from './index-product-snapshot.use-case';
import { ReindexUseCase } from './reindex.use-case';
import { SearchProductsUseCase, SuggestUseCase } from './search-products.use-case';
import { MAX_SYNONYM_SETS, SynonymSetsUseCase } from './synonym-sets.use-case';

/** Search's use cases against an in-memory index and stores (no Elasticsearch). */
const setup = () => {
  const index = new InMemoryProductIndex();
  const categories = new InMemoryCategoryNames();
  const sales = new InMemoryFlashSales();
  const synonymStore = new InMemorySynonymStore();
  const log = new InMemorySearchLog();
  const ratings = new InMemoryProductRatings();
  const synonyms = new SynonymSetsUseCase(synonymStore, 0);
  return {
    index,
    categories,
    sales,
    ratings,
    synonymStore,
    log,
    synonyms,
    indexer: new IndexProductSnapshotUseCase(index, categories, ratings),
    projections: new ProjectionUseCases(index, categories, sales, ratings),
    search: new SearchProductsUseCase(index, sales, categories, log, synonyms),
    suggest: new SuggestUseCase(index, log),
  };
};
const input = (query: string, over: object = {}) => ({
  query,
  categoryId: '',
  currency: '',
  pageSize: 10,
  ...over,
});

describe('indexing product snapshots: versions decide, not arrival order', () => {
  it('applies a newer version and ignores a repeated or older one', async () => {
    const s = setup();
    await s.categories.put({ id: 'c-root', name: 'All', pathIds: ['c-root'] });
    await s.categories.put({ id: 'c-phones', name: 'Phones', pathIds: ['c-root', 'c-phones'] });
    expect(await s.indexer.execute(CTX, aSnapshot({ version: 2, title: 'v2' }), 'e2')).toBe(
      'applied',
    );
    expect(await s.indexer.execute(CTX, aSnapshot({ version: 1, title: 'v1' }), 'e1')).toBe(
      'stale',
    );
    expect(await s.indexer.execute(CTX, aSnapshot({ version: 2, title: 'again' }), 'e2b')).toBe(
      'stale',
    );
    const { doc } = s.index.docs.get('p-1')!;
    expect(doc).toMatchObject({
      title: 'v2',
      last_event_id: 'e2',
      category_names: ['All', 'Phones'],
    });
    expect(await s.indexer.execute(CTX, aSnapshot({ version: 3, title: 'v3' }), 'e3')).toBe(
      'applied',
    );
    expect(s.index.docs.get('p-1')!.doc.title).toBe('v3');
  });
});

describe('category and flash-sale projections', () => {
  it('a renamed category rewrites its products; a first sighting or same name rewrites none', async () => {
    const s = setup();
    // indexed before its category's event: the first sighting only stores the name
    await s.indexer.execute(CTX, aSnapshot(), 'e1');
    expect(
      await s.projections.categoryChanged({ id: 'c-phones', name: 'Phones', pathIds: [] }),
    ).toBe(0);
    expect(s.index.docs.get('p-1')!.doc.category_names).toEqual(['', '']);
    await s.indexer.execute(
      CTX,
      aSnapshot({ id: 'p-2', categoryId: 'c-tv', categoryPathIds: ['c-tv'] }),
      'e2',
    );
    expect(
      await s.projections.categoryChanged({ id: 'c-phones', name: 'Phones', pathIds: [] }),
    ).toBe(0);
    expect(
      await s.projections.categoryChanged({ id: 'c-phones', name: 'Mobiles', pathIds: [] }),
    ).toBe(1);
    expect(s.index.docs.get('p-1')!.doc.category_names).toEqual(['', 'Mobiles']);
    // the rename does not block the product's next version
    expect(await s.indexer.execute(CTX, aSnapshot({ version: 2 }), 'e3')).toBe('applied');
    expect(s.index.docs.get('p-1')!.doc.category_names).toEqual(['', 'Mobiles']);
  });

  it('places a sale announced by SKU on its product; before the product is indexed it is retried', async () => {
    const s = setup();
    await expect(
      s.projections.flashSaleScheduled(aFlashSale({ productId: '' })),
    ).rejects.toBeInstanceOf(ProductNotIndexedYet);
    expect(s.sales.rows.size).toBe(0);
    await s.indexer.execute(CTX, aSnapshot(), 'e1');
    await s.projections.flashSaleScheduled(aFlashSale({ productId: '' }));
    expect(s.sales.rows.get('sale-1')!.productId).toBe('p-1');
  });
});

describe('synonym sets', () => {
  it('a stored set expands queries at once; deleting it stops the expansion', async () => {
    const s = setup();
    await s.synonyms.put('phones', ['手机', 'mobile']);
    expect(s.synonyms.variants('mobile case')).toEqual(['手机 case']);
    await s.synonyms.delete('phones');
    expect(s.synonyms.variants('mobile case')).toEqual([]);
    await expect(s.synonyms.delete('phones')).rejects.toMatchObject({
      code: 'SYNONYM_SET_NOT_FOUND',
    });
  });

  it(`refuses a new set beyond ${MAX_SYNONYM_SETS} but still replaces an existing one`, async () => {
    const s = setup();
    for (let i = 0; i < MAX_SYNONYM_SETS; i++)
      s.synonymStore.rows.set(`s${i}`, { id: `s${i}`, terms: [`a${i}`, `b${i}`], updatedAt: '' });
    await expect(s.synonyms.put('one-more', ['x', 'y'])).rejects.toMatchObject({
      code: 'SYNONYM_SETS_LIMIT',
    });
    expect(s.synonymStore.rows.has('one-more')).toBe(false);
    await s.synonyms.put('s1', ['a1', 'c1']);
    expect(s.synonymStore.rows.get('s1')!.terms).toEqual(['a1', 'c1']);
  });

  it('keeps the last sets in use when the store cannot be read', async () => {
    const s = setup();
    await s.synonyms.put('tv', ['tv', 'television']);
    s.synonymStore.failing = true;
    await expect(s.synonyms.reload()).rejects.toThrow();
    expect(s.synonyms.variants('tv')).toEqual(['television']);
  });
});

describe('searching', () => {
  const seeded = async () => {
    const s = setup();
    await s.indexer.execute(CTX, aSnapshot({ id: 'p-1', title: 'Aurora mobile' }), 'e1');
    await s.indexer.execute(CTX, aSnapshot({ id: 'p-2', title: '手机 Nova', brand: 'Nova' }), 'e2');
    await s.indexer.execute(
      CTX,
      aSnapshot({ id: 'p-3', title: 'old mobile', status: 'ARCHIVED' }),
      'e3',
    );
    return s;
  };

  it('finds products by the query or its synonyms, and never unlisted ones', async () => {
    const s = await seeded();
    const ids = async (q: string) =>
      (await s.search.execute(CTX, input(q))).hits.map((h) => h.document.product_id);
    expect(await ids('mobile')).toEqual(['p-1']);
    await s.synonyms.put('phones', ['手机', 'mobile']);
    expect(await ids('mobile')).toEqual(['p-1', 'p-2']);
    expect(s.index.searches.at(-1)!.textVariants).toEqual(['mobile', '手机']);
  });

  it('filters by any of the tags, counts the tag facet, and drops a tag a later snapshot removed', async () => {
    const s = await seeded();
    await s.indexer.execute(
      CTX,
      aSnapshot({ id: 'p-1', version: 2, tags: ['新品', '爆款'] }),
      'e4',
    );
    await s.indexer.execute(CTX, aSnapshot({ id: 'p-2', version: 2, tags: ['促销'] }), 'e5');
    const tagged = async (tags: string[]) => {
      const r = await s.search.execute(CTX, input('', { tags, includeFacets: true }));
      return { ids: r.hits.map((h) => h.document.product_id), facet: r.facets!.tags };
    };
    expect((await tagged(['爆款', '促销'])).ids).toEqual(['p-1', 'p-2']);
    expect(await tagged(['新品'])).toEqual({
      ids: ['p-1'],
      facet: [
        { value: '新品', count: 1 },
        { value: '爆款', count: 1 },
      ],
    });
    await s.indexer.execute(CTX, aSnapshot({ id: 'p-1', version: 3, tags: ['爆款'] }), 'e6');
    expect((await tagged(['新品'])).ids).toEqual([]);
    expect(s.index.docs.get('p-1')!.doc.tags).toEqual(['爆款']);
    // a tag search counts as a filtered one in the search log
    await s.search.execute(CTX, input('mobile', { tags: ['爆款'] }));
    await s.search.execute(CTX, input('mobile'));
    expect(s.log.entries.slice(-2).map((e) => e.filtered)).toEqual([true, false]);
  });

  it('logs the first page of a text search with its count, not browsing or later pages', async () => {
    const s = await seeded();
    const first = await s.search.execute(CTX, input('Mobile', { pageSize: 1 }));
    expect(first.total).toBe(1);
    await s.search.execute(CTX, input(''));
    await s.search.execute(CTX, input('mobile'), ['p-0']);
    expect(s.log.entries).toHaveLength(1);
    expect(s.log.entries[0]).toMatchObject({ query: 'mobile', results: 1, filtered: false });
    await s.search.execute(CTX, input('nothing here', { brands: ['Nova'] }));
    expect(s.log.entries[1]).toMatchObject({ query: 'nothing here', results: 0, filtered: true });
  });

  it('shows the running flash sale on its product and still answers when sales cannot be read', async () => {
    const s = await seeded();
    await s.sales.put(aFlashSale());
    await s.sales.put(
      aFlashSale({ saleId: 'ended', endsAt: new Date(Date.now() - 1000).toISOString() }),
    );
    const res = await s.search.execute(CTX, input('aurora'));
    expect(res.hits[0].flashSale).toMatchObject({ saleId: 'sale-1', active: true });
    s.sales.failing = true;
    const again = await s.search.execute(CTX, input('aurora'));
    expect(again.hits.map((h) => h.document.product_id)).toEqual(['p-1']);
    expect(again.hits[0].flashSale).toBeUndefined();
  });

  it('says how long its page may be answered again: what the result cache has left, never past a shown sale starting or ending', async () => {
    const s = await seeded();
    // an index whose pages are kept `left` ms more (as the result cache says of its pages)
    let left = 1000;
    const index: ProductIndex = Object.assign(Object.create(s.index) as ProductIndex, {
      search: async (c: SearchCriteria, after?: unknown[]) => ({
        ...(await s.index.search(c, after)),
        reusableForMs: left,
      }),
    });
    const search = new SearchProductsUseCase(index, s.sales, s.categories, s.log, s.synonyms);
    // no sale on the page: the page's time in the result cache
    const first = await search.execute(CTX, input('aurora'));
    expect([first.reusableForMs, first.logged]).toEqual([1000, true]);
    left = 750;
    expect((await search.execute(CTX, input('aurora'))).reusableForMs).toBe(750);
    // a sale of a product shown (as coming), starting in under a second: no longer than until
    // it starts (then shown as running)
    await s.sales.put(
      aFlashSale({ saleId: 'soon', startsAt: new Date(Date.now() + 400).toISOString() }),
    );
    s.sales.failing = false;
    const soon = await search.execute(CTX, input('aurora'));
    expect(soon.hits[0].flashSale).toMatchObject({ saleId: 'soon', active: false });
    expect(soon.reusableForMs).toBeGreaterThan(0);
    expect(soon.reusableForMs).toBeLessThanOrEqual(400);
    // sales that cannot be read: the page is not answered again
    s.sales.failing = true;
    expect((await search.execute(CTX, input('aurora'))).reusableForMs).toBe(0);
    // browsing and later pages are not logged (a caller's repeats of them are not reported)
    s.sales.failing = false;
    expect((await search.execute(CTX, input(''))).logged).toBe(false);
    expect((await search.execute(CTX, input('aurora'), ['p-0'])).logged).toBe(false);
    // without a result cache nothing is answered again
    expect((await s.search.execute(CTX, input('aurora'))).reusableForMs).toBe(0);
  });

  it("logs a caller's repeats of a logged search as that many searches, and skips the others", async () => {
    const s = await seeded();
    const at = new Date('2026-12-06T01:00:00.500Z');
    expect(
      s.search.recordRepeats([
        { input: input('Aurora', { brands: ['Nova'] }), total: 3, count: 4, at },
        { input: input(''), total: 3, count: 5, at },
      ]),
    ).toBe(4);
    // an invalid search among them: nothing logged
    expect(() =>
      s.search.recordRepeats([
        { input: input('Aurora'), total: 3, count: 2, at },
        { input: input('Aurora', { pageSize: -1 }), total: 3, count: 2, at },
      ]),
    ).toThrow(SearchError);
    expect(s.log.entries).toHaveLength(4);
    expect(s.log.entries[0]).toEqual({
      query: 'aurora',
      raw: 'Aurora',
      results: 3,
      filtered: true,
      sort: 'RELEVANCE',
      at: at.toISOString(),
    });
    const top = await s.log.top({
      since: new Date(0),
      until: new Date('2027-01-01'),
      zeroResultsOnly: false,
      limit: 5,
    });
    expect(top.totalSearches).toBe(4);
  });

  it('suggests popular queries first (at most half), then titles and brands, each text once', async () => {
    const s = await seeded();
    for (const q of ['aurora mobile', 'aurora', 'aurora']) await s.search.execute(CTX, input(q));
    const out = await s.suggest.execute('Aur', 4);
    expect(out).toEqual([
      { text: 'aurora', kind: 'QUERY' },
      { text: 'aurora mobile', kind: 'QUERY' },
    ]);
    expect(await s.suggest.execute('nova', 0)).toEqual([{ text: 'Nova', kind: 'BRAND' }]);
    await expect(s.suggest.execute(' ', 5)).rejects.toMatchObject({
      code: 'SUGGEST_PREFIX_INVALID',
    });
    await expect(s.suggest.execute('a', -1)).rejects.toMatchObject({
      code: 'SUGGEST_LIMIT_INVALID',
    });
  });
});

describe('full reindex', () => {
  const setupReindex = () => {
    const builder = new InMemoryIndexBuilder();
    const catalog = new InMemoryCatalogSource();
    const categories = new InMemoryCategoryNames();
    const jobs = new InMemoryReindexJobs();
    const ratings = new InMemoryProductRatings();
    const reindex = new ReindexUseCase(
      builder,
      catalog,
      categories,
      jobs,
      2,
      pino({ level: 'silent' }),
      ratings,
    );
    catalog.categories = [{ id: 'c-phones', name: 'Phones', pathIds: ['c-root', 'c-phones'] }];
    catalog.products = [1, 2, 3, 4, 5].map((n) =>
      aSnapshot({ id: `p-${n}`, tags: n === 1 ? ['新品', '促销'] : [] }),
    );
    return { builder, catalog, categories, jobs, ratings, reindex };
  };

  it('builds a new index in batches, swaps the alias, copies writes made meanwhile, keeps one old index', async () => {
    const r = setupReindex();
    const late = toProductDocument(aSnapshot({ id: 'p-9' }), 'live', new Map(), new Date());
    r.builder.serving().set('p-9', late);
    const done = await r.reindex.runToCompletion();
    expect(done).toMatchObject({ state: 'SUCCEEDED', productsIndexed: 5, batches: 3, caughtUp: 1 });
    expect(r.builder.alias).toBe('products-v2');
    expect([...r.builder.serving().keys()].sort()).toEqual([
      'p-1',
      'p-2',
      'p-3',
      'p-4',
      'p-5',
      'p-9',
    ]);
    expect(r.builder.serving().get('p-1')!.category_names).toEqual(['', 'Phones']);
    // the catalog's tags come with the rebuild (a mapping upgrade fills them this way)
    expect(r.builder.serving().get('p-1')!.tags).toEqual(['促销', '新品']);
    expect([...r.builder.indexes.keys()]).toEqual(['products-v1', 'products-v2']);
    expect(await r.reindex.get('')).toMatchObject({ id: done.id, state: 'SUCCEEDED' });
  });

  it('a failure before the swap drops the half-built index and keeps serving the old one', async () => {
    const r = setupReindex();
    r.catalog.failAt = 2;
    await expect(r.reindex.runToCompletion()).rejects.toThrow(/catalog unavailable/);
    expect(r.builder.alias).toBe('products-v1');
    expect(r.builder.indexes.has('products-v2')).toBe(false);
    expect(await r.reindex.get('')).toMatchObject({ state: 'FAILED', productsIndexed: 2 });
  });

  it('refuses a second reindex while one is running with a fresh heartbeat', async () => {
    const r = setupReindex();
    const first = await r.reindex.start();
    await expect(r.reindex.start()).rejects.toMatchObject({
      code: 'REINDEX_RUNNING',
      details: { reindexId: first.id },
    });
    await r.reindex.onModuleDestroy();
  });
});
