import { toCriteria, type SearchInput } from '../domain/search-criteria';
import { buildSearchBody, buildSuggestBody, HIT_FIELDS, SEARCH_FILTER_PATH } from './search-body';

const input = (over: Partial<SearchInput> = {}): SearchInput => ({
  query: '',
  categoryId: '',
  currency: '',
  pageSize: 0,
  ...over,
});
// the body is plain JSON for Elasticsearch: read it as such
const body = (over: Partial<SearchInput> = {}, variants: string[] = [], after?: unknown[]) =>
  JSON.parse(JSON.stringify(buildSearchBody(toCriteria(input(over), variants), after)));

describe('search body', () => {
  it('fetches only the fields a page shows, and reads only totals, hits and buckets', () => {
    expect(body()._source).toEqual([...HIT_FIELDS]);
    expect(body()._source).not.toContain('description');
    expect(SEARCH_FILTER_PATH.split(',')).toEqual(
      expect.arrayContaining(['hits.total', 'hits.hits._source', 'hits.hits.sort']),
    );
  });

  it('matches everything listed when there is no text, out-of-stock products ranked lower', () => {
    const b = body();
    expect(b.query.function_score.query.bool.must).toEqual([{ match_all: {} }]);
    expect(b.query.function_score.query.bool.filter).toEqual([{ term: { status: 'ACTIVE' } }]);
    expect(b.query.function_score.functions).toEqual([
      { filter: { term: { in_stock: false } }, weight: 0.5 },
    ]);
    expect(b.size).toBe(21);
    expect(b.post_filter).toBeUndefined();
    expect(b.aggs).toBeUndefined();
  });

  it('fetches no hit when none is asked (the facet counts alone), still counting the total', () => {
    const counts = JSON.parse(
      JSON.stringify(buildSearchBody({ ...toCriteria(input({ includeFacets: true })), size: 0 })),
    );
    expect(counts.size).toBe(0);
    expect(counts.track_total_hits).toBe(true);
    expect(Object.keys(counts.aggs)).toEqual(
      expect.arrayContaining(['categories', 'brands', 'prices']),
    );
  });

  it('asks which products match (their count; their facet prints: count, sum, lowest, highest) when told, facets or not', () => {
    const matched = {
      _matched: {
        filter: { match_all: {} },
        aggs: { p: { stats: { field: 'facet_print' } } },
      },
    };
    const hitsOnly = JSON.parse(
      JSON.stringify(buildSearchBody(toCriteria(input({})), undefined, { matched: true })),
    );
    expect(hitsOnly.aggs).toEqual(matched);
    const faceted = JSON.parse(
      JSON.stringify(
        buildSearchBody(toCriteria(input({ includeFacets: true })), undefined, { matched: true }),
      ),
    );
    expect(faceted.aggs).toMatchObject(matched);
    expect(Object.keys(faceted.aggs)).toEqual(expect.arrayContaining(['brands', '_matched']));
    // the answer keeps the aggregation's figures (filter_path)
    expect(SEARCH_FILTER_PATH.split(',')).toEqual(
      expect.arrayContaining([
        'aggregations.**.key',
        'aggregations.**.doc_count',
        'aggregations._matched.p.count',
        'aggregations._matched.p.sum',
        'aggregations._matched.p.min',
        'aggregations._matched.p.max',
      ]),
    );
  });

  it('requires every word in the text and boosts title over brand over category path', () => {
    const b = body({ query: '华为手机' });
    const phrasing = b.query.function_score.query.bool.must[0].bool.should[0].bool;
    expect(phrasing.must).toEqual([
      { match: { all_text: { query: '华为手机', operator: 'and', boost: 0.2 } } },
    ]);
    const boosts = Object.fromEntries(
      phrasing.should.map((c: Record<string, Record<string, { boost: number }>>) => {
        const [kind] = Object.keys(c);
        const [field] = Object.keys(c[kind]);
        return [`${kind}:${field}`, c[kind][field].boost];
      }),
    );
    expect(boosts['match:title']).toBeGreaterThan(boosts['match:brand.text']);
    expect(boosts['match:brand.text']).toBeGreaterThan(boosts['match:category_names']);
    expect(boosts['match:category_names']).toBeGreaterThan(boosts['match:description']);
  });

  it('finds any synonym variant, the original phrasing weighing more', () => {
    const b = body({ query: '手机' }, ['移动电话']);
    const should = b.query.function_score.query.bool.must[0].bool.should;
    expect(should).toHaveLength(2);
    expect(should[1].bool.must[0].match.all_text.query).toBe('移动电话');
    expect(should[1].bool.should[0].match.title.boost).toBeLessThan(
      should[0].bool.should[0].match.title.boost,
    );
    expect(b.query.function_score.query.bool.must[0].bool.minimum_should_match).toBe(1);
  });

  it('filters category subtree, currency and stock in the query; facet selections after it', () => {
    const b = body(
      {
        query: 'case',
        categoryId: 'c1',
        currency: 'CNY',
        minPriceMinor: 100,
        maxPriceMinor: 500,
        brands: ['Acme'],
        attributes: [{ name: 'colour', values: ['red', 'blue'] }],
        inStockOnly: true,
      },
      [],
      [1.5, 'p9'],
    );
    expect(b.query.bool.filter).toEqual([
      { term: { status: 'ACTIVE' } },
      { term: { category_path_ids: 'c1' } },
      { term: { currency: 'CNY' } },
      { term: { in_stock: true } },
    ]);
    expect(b.post_filter.bool.filter).toEqual([
      { terms: { brand: ['Acme'] } },
      { range: { prices: { gte: 100, lte: 500 } } },
      {
        nested: {
          path: 'attributes',
          query: {
            bool: {
              filter: [
                { term: { 'attributes.name': 'colour' } },
                { terms: { 'attributes.value': ['red', 'blue'] } },
              ],
            },
          },
        },
      },
    ]);
    expect(b.search_after).toEqual([1.5, 'p9']);
    expect(b.sort).toEqual([{ _score: { order: 'desc' } }, { product_id: { order: 'asc' } }]);
  });

  it('counts each facet without its own selection (disjunctive facets)', () => {
    const b = body({
      includeFacets: true,
      currency: 'CNY',
      maxPriceMinor: 9000,
      brands: ['Acme'],
      attributes: [{ name: 'colour', values: ['red'] }],
    });
    const kinds = (f: { filter: { bool?: { filter: object[] } } }) =>
      (f.filter.bool?.filter ?? []).map((x) => Object.keys(x)[0]);
    expect(kinds(b.aggs.categories)).toEqual(['terms', 'range', 'nested']);
    expect(kinds(b.aggs.brands)).toEqual(['range', 'nested']);
    expect(kinds(b.aggs.prices)).toEqual(['terms', 'nested']);
    expect(kinds(b.aggs.attribute_0)).toEqual(['terms', 'range']);
    expect(b.aggs.prices.aggs.values.range.ranges).toEqual([
      { to: 5000 },
      { from: 5000, to: 10000 },
      { from: 10000, to: 20000 },
      { from: 20000, to: 50000 },
      { from: 50000, to: 100000 },
      { from: 100000 },
    ]);
  });

  it('filters tags (any of) after the query and counts the tag facet without its own selection', () => {
    const b = body({ includeFacets: true, brands: ['Acme'], tags: ['新品', ' 促销 ', '新品'] });
    expect(b.query.function_score.query.bool.filter).toEqual([{ term: { status: 'ACTIVE' } }]);
    expect(b.post_filter.bool.filter).toEqual([
      { terms: { brand: ['Acme'] } },
      { terms: { tags: ['新品', '促销'] } },
    ]);
    // the tag facet: every other selection, not the tags; the brand facet keeps the tags
    expect(b.aggs.tags.filter.bool.filter).toEqual([{ terms: { brand: ['Acme'] } }]);
    expect(b.aggs.tags.aggs.values).toEqual({ terms: { field: 'tags', size: 50 } });
    expect(b.aggs.brands.filter.bool.filter).toEqual([{ terms: { tags: ['新品', '促销'] } }]);
    expect(b.aggs.categories.filter.bool.filter).toHaveLength(2);
    // no selection: the tag facet counts everything the query found
    expect(body({ includeFacets: true }).aggs.tags.filter).toEqual({ match_all: {} });
    expect(body({ tags: [] }).post_filter).toBeUndefined();
  });

  it.each([
    ['PRICE_ASC', { min_price: { order: 'asc' } }],
    ['PRICE_DESC', { min_price: { order: 'desc' } }],
    ['SALES', { units_sold: { order: 'desc', missing: '_last' } }],
    ['NEWEST', { created_at: { order: 'desc' } }],
  ] as const)(
    'sorts %s with the product id as tie breaker, without relevance tweaks',
    (sort, key) => {
      const b = body({ sort, query: 'x' });
      expect(b.sort).toEqual([key, { product_id: { order: 'asc' } }]);
      expect(b.query.function_score).toBeUndefined();
    },
  );

  it('suggests from listed products only, one per title, brands aside', () => {
    const b = JSON.parse(JSON.stringify(buildSuggestBody('hua', 5)));
    expect(b.query.bool.filter).toEqual([{ term: { status: 'ACTIVE' } }]);
    expect(b.collapse).toEqual({ field: 'title.keyword' });
    expect(b.size).toBe(5);
    expect(b.aggs.brands.filter.match['brand.suggest']).toEqual({ query: 'hua', operator: 'and' });
  });

  it('sorts by rating: average, then review count, unrated (0 and 0) last; filters a minimum average', () => {
    const b = body({ sort: 'RATING', minRating: 4 });
    expect(b.sort).toEqual([
      { rating_average: { order: 'desc', missing: 0 } },
      { review_count: { order: 'desc', missing: 0 } },
      { product_id: { order: 'asc' } },
    ]);
    expect(b.query.bool.filter).toEqual([
      { term: { status: 'ACTIVE' } },
      { range: { rating_average: { gte: 4 } } },
    ]);
    expect(body({ sort: 'RATING' }, [], [4.5, 10, 'p-1']).search_after).toEqual([4.5, 10, 'p-1']);
  });
});
