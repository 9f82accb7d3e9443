import { currentOffer, msUntilOffersChange, type FlashSaleRecord } from './flash-offer';
import { categoryIdsOf, toProductDocument, type ProductSnapshot } from './product-document';
import { mayStartReindex, type ReindexJob } from './reindex';
import { normalizeQuery, toCriteria, type SearchInput } from './search-criteria';
import { gatherSearches, logEntry, topQueriesWindow } from './search-log';
import { expandQuery, validateSynonymSet } from './synonyms';

const NOW = new Date('2026-11-11T00:00:00.000Z');

const snapshot = (over: Partial<ProductSnapshot> = {}): ProductSnapshot => ({
  id: 'p1',
  title: 'Case',
  description: '',
  brand: 'B',
  categoryId: 'c2',
  categoryPathIds: ['c1', 'c2'],
  status: 'ACTIVE',
  skus: [
    {
      id: 's1',
      code: 'A',
      amountMinor: 2500,
      currency: 'CNY',
      stockOnHand: 0,
      attributes: { colour: 'red', size: 'L' },
    },
    {
      id: 's2',
      code: 'B',
      amountMinor: 1999,
      currency: 'CNY',
      stockOnHand: 3,
      attributes: { colour: ' red ', size: 'M', empty: ' ' },
    },
  ],
  unitsSold: 7,
  tags: [],
  version: 4,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  ...over,
});
const names = new Map([
  ['c1', '数码'],
  ['c2', '手机壳'],
]);

describe('product document', () => {
  it('carries price bounds, every price, stock, sales, names and version', () => {
    expect(toProductDocument(snapshot(), 'e1', names, NOW)).toMatchObject({
      product_id: 'p1',
      prices: [2500, 1999],
      min_price: 1999,
      max_price: 2500,
      currency: 'CNY',
      in_stock: true,
      category_path_ids: ['c1', 'c2'],
      category_names: ['数码', '手机壳'],
      sku_ids: ['s1', 's2'],
      units_sold: 7,
      version: 4,
      last_event_id: 'e1',
      indexed_at: NOW.toISOString(),
    });
  });

  it('keeps each attribute pair once, trimmed, without empty values', () => {
    expect(toProductDocument(snapshot(), 'e', names, NOW).attributes).toEqual([
      { name: 'colour', value: 'red' },
      { name: 'size', value: 'L' },
      { name: 'size', value: 'M' },
    ]);
  });

  it('is out of stock when no SKU has stock', () => {
    const s = snapshot();
    expect(
      toProductDocument(
        { ...s, skus: s.skus.map((k) => ({ ...k, stockOnHand: 0 })) },
        'e',
        names,
        NOW,
      ).in_stock,
    ).toBe(false);
  });

  it('indexes the tags trimmed, each once, sorted, without empty ones', () => {
    expect(
      toProductDocument(snapshot({ tags: ['爆款', ' 新品 ', '新品', ''] }), 'e', names, NOW).tags,
    ).toEqual(['新品', '爆款'].sort());
    expect(toProductDocument(snapshot({ tags: [] }), 'e', names, NOW).tags).toEqual([]);
  });

  it('falls back to the category itself when no path is given; unknown names stay empty', () => {
    const d = toProductDocument(snapshot({ categoryPathIds: [] }), 'e', new Map(), NOW);
    expect(d.category_path_ids).toEqual(['c2']);
    expect(d.category_names).toEqual(['']);
    expect(
      categoryIdsOf([snapshot(), snapshot({ categoryPathIds: [], categoryId: 'c9' })]),
    ).toEqual(['c1', 'c2', 'c9']);
  });
});

describe('search criteria', () => {
  const input = (over: Partial<SearchInput> = {}): SearchInput => ({
    query: '',
    categoryId: '',
    currency: '',
    pageSize: 0,
    ...over,
  });

  it('defaults and clamps the page size', () => {
    expect(toCriteria(input()).size).toBe(20);
    expect(toCriteria(input({ pageSize: 1000 })).size).toBe(100);
  });

  it('keeps a price range with its currency', () => {
    expect(
      toCriteria(input({ minPriceMinor: 100, maxPriceMinor: 200, currency: 'CNY' })).price,
    ).toEqual({ currency: 'CNY', min: 100, max: 200 });
    expect(toCriteria(input({ maxPriceMinor: 0, currency: 'CNY' })).price).toEqual({
      currency: 'CNY',
      max: 0,
    });
  });

  it('merges attribute filters by name and dedupes brands and values', () => {
    const c = toCriteria(
      input({
        brands: ['Acme', ' Acme '],
        attributes: [
          { name: 'colour', values: ['red'] },
          { name: 'colour', values: ['blue', 'red'] },
        ],
      }),
    );
    expect(c.brands).toEqual(['Acme']);
    expect(toCriteria(input({ tags: [' 新品', '新品', '促销'] })).tags).toEqual(['新品', '促销']);
    expect(toCriteria(input()).tags).toEqual([]);
    expect(c.attributes).toEqual([{ name: 'colour', values: ['red', 'blue'] }]);
  });

  it('puts the text first among its variants and drops repeats', () => {
    expect(toCriteria(input({ query: 'tv' }), ['television', 'tv', '']).textVariants).toEqual([
      'tv',
      'television',
    ]);
    expect(toCriteria(input(), ['x']).textVariants).toEqual([]);
  });

  it('uses default price facet edges, or valid given ones', () => {
    expect(toCriteria(input({ includeFacets: true })).facets?.priceEdges).toEqual([
      5000, 10000, 20000, 50000, 100000,
    ]);
    expect(
      toCriteria(input({ includeFacets: true, priceFacetEdges: [100, 200] })).facets?.priceEdges,
    ).toEqual([100, 200]);
    expect(toCriteria(input()).facets).toBeUndefined();
  });

  it.each<[Partial<SearchInput>, string]>([
    [{ minPriceMinor: 100 }, 'SEARCH_CURRENCY_REQUIRED'],
    [{ minPriceMinor: -1, currency: 'CNY' }, 'SEARCH_PRICE_INVALID'],
    [{ maxPriceMinor: 1.5, currency: 'CNY' }, 'SEARCH_PRICE_INVALID'],
    [{ minPriceMinor: 5, maxPriceMinor: 4, currency: 'CNY' }, 'SEARCH_PRICE_RANGE_INVALID'],
    [{ currency: 'yuan' }, 'SEARCH_CURRENCY_INVALID'],
    [{ query: 'x'.repeat(201) }, 'SEARCH_QUERY_TOO_LONG'],
    [{ pageSize: -1 }, 'SEARCH_PAGE_SIZE_INVALID'],
    [{ brands: [''] }, 'SEARCH_FILTER_INVALID'],
    [{ brands: Array.from({ length: 51 }, (_, i) => `b${i}`) }, 'SEARCH_FILTER_INVALID'],
    [{ tags: ['  '] }, 'SEARCH_FILTER_INVALID'],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'SEARCH_FILTER_INVALID'],
    [{ attributes: [{ name: '', values: ['x'] }] }, 'SEARCH_FILTER_INVALID'],
    [{ attributes: [{ name: 'colour', values: [] }] }, 'SEARCH_FILTER_INVALID'],
    [{ includeFacets: true, priceFacetEdges: [200, 100] }, 'SEARCH_FACET_INVALID'],
    [{ includeFacets: true, priceFacetEdges: [0, 100] }, 'SEARCH_FACET_INVALID'],
  ])('rejects %p with %s', (over, code) => {
    expect(() => toCriteria(input(over))).toThrow(
      expect.objectContaining({ code, kind: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('synonyms', () => {
  const sets = [
    { terms: ['手机', '移动电话'] },
    { terms: ['手机壳', '手机套'] },
    { terms: ['tv', 'television'] },
  ];

  it('rewrites a CJK term anywhere in the query', () => {
    expect(expandQuery('华为手机', sets)).toEqual(['华为移动电话']);
  });

  it('prefers the longer term over one it contains', () => {
    expect(expandQuery('透明手机壳', sets)).toEqual(['透明手机套']);
  });

  it('matches latin terms as whole words only, case-insensitively', () => {
    expect(expandQuery('Smart TV 55', sets)).toEqual(['smart television 55']);
    expect(expandQuery('tvstand', sets)).toEqual([]);
  });

  it('combines sets and bounds the number of variants', () => {
    expect(expandQuery('tv 手机', sets).sort()).toEqual(['television 手机', 'tv 移动电话']);
    const big = [{ terms: Array.from({ length: 20 }, (_, i) => `t${i}`) }];
    expect(expandQuery('t0', big)).toHaveLength(8);
  });

  it('validates and normalises a set', () => {
    expect(validateSynonymSet('phones', [' 手机 ', 'Mobile  Phone', '手机'])).toEqual({
      id: 'phones',
      terms: ['手机', 'mobile phone'],
    });
    for (const [id, terms] of [
      ['Bad Id', ['a', 'b']],
      ['ok', ['only']],
      ['ok', ['a', 'x'.repeat(51)]],
    ] as const)
      expect(() => validateSynonymSet(id, terms)).toThrow(
        expect.objectContaining({ code: 'SYNONYM_SET_INVALID' }),
      );
  });
});

describe('flash offer', () => {
  const sale = (id: string, price: number, start: string, end: string): FlashSaleRecord => ({
    saleId: id,
    skuId: 's',
    productId: 'p',
    priceMinor: price,
    currency: 'CNY',
    startsAt: start,
    endsAt: end,
  });

  it('shows the cheapest running sale, else the next one, never an ended one', () => {
    const ended = sale('a', 100, '2026-11-10T00:00:00Z', '2026-11-10T12:00:00Z');
    const running = sale('b', 900, '2026-11-10T23:00:00Z', '2026-11-11T01:00:00Z');
    const cheaper = sale('c', 800, '2026-11-10T23:30:00Z', '2026-11-11T02:00:00Z');
    const later = sale('d', 500, '2026-11-12T00:00:00Z', '2026-11-12T01:00:00Z');
    const sooner = sale('e', 600, '2026-11-11T06:00:00Z', '2026-11-11T07:00:00Z');
    expect(currentOffer([ended, running, cheaper, later], NOW)).toMatchObject({
      saleId: 'c',
      active: true,
    });
    expect(currentOffer([ended, later, sooner], NOW)).toMatchObject({ saleId: 'e', active: false });
    expect(currentOffer([ended], NOW)).toBeUndefined();
  });
});

describe('search log', () => {
  it('logs text searches normalised, not browsing', () => {
    expect(logEntry('  Huawei   Mate ', 3, false, 'RELEVANCE', NOW)).toEqual({
      query: 'huawei mate',
      raw: 'Huawei   Mate',
      results: 3,
      filtered: false,
      sort: 'RELEVANCE',
      at: NOW.toISOString(),
    });
    expect(logEntry('  ', 3, false, 'RELEVANCE', NOW)).toBeUndefined();
    expect(normalizeQuery('ＡＢＣ　手机')).toBe('abc 手机');
  });

  it('gathers the same search of one second into one record with its count', () => {
    const at = (ms: number) => new Date(Date.parse('2026-12-03T08:00:00.000Z') + ms);
    const e = (q: string, results: number, ms: number, filtered = false, sort = 'RELEVANCE') =>
      logEntry(q, results, filtered, sort, at(ms))!;
    const gathered = gatherSearches([
      e('Phone', 5, 10),
      e(' phone ', 5, 900), // another raw text: its own record
      e('Phone', 5, 500),
      e('Phone', 5, 20),
      e('Phone', 0, 30), // another result count
      e('Phone', 5, 40, true), // filtered
      e('Phone', 5, 50, false, 'SALES'), // another sort
      e('Phone', 5, 1000), // the next second
    ]);
    expect(gathered.map((g) => [g.raw, g.results, g.filtered, g.sort, g.at, g.searches])).toEqual([
      ['Phone', 5, false, 'RELEVANCE', at(500).toISOString(), 3],
      ['phone', 5, false, 'RELEVANCE', at(900).toISOString(), 1],
      ['Phone', 0, false, 'RELEVANCE', at(30).toISOString(), 1],
      ['Phone', 5, true, 'RELEVANCE', at(40).toISOString(), 1],
      ['Phone', 5, false, 'SALES', at(50).toISOString(), 1],
      ['Phone', 5, false, 'RELEVANCE', at(1000).toISOString(), 1],
    ]);
    expect(gathered.reduce((n, g) => n + g.searches, 0)).toBe(8);
    expect(gatherSearches([])).toEqual([]);
  });

  it('defaults the window to the last 7 days and bounds it', () => {
    const w = topQueriesWindow({}, NOW);
    expect(w.until).toEqual(NOW);
    expect(NOW.getTime() - w.since.getTime()).toBe(7 * 86_400_000);
    expect(w.limit).toBe(20);
    expect(topQueriesWindow({ limit: 1000 }, NOW).limit).toBe(200);
    for (const bad of [
      { since: 'yesterday' },
      { since: '2026-11-12T00:00:00Z' },
      { since: '2026-01-01T00:00:00Z' },
      { limit: -1 },
    ])
      expect(() => topQueriesWindow(bad, NOW)).toThrow(
        expect.objectContaining({ kind: 'INVALID_ARGUMENT' }),
      );
  });
});

describe('reindex', () => {
  const job = (state: ReindexJob['state'], heartbeatAt: string): ReindexJob => ({
    id: 'j',
    state,
    targetIndex: 't',
    previousIndex: 'p',
    productsIndexed: 0,
    caughtUp: 0,
    batches: 0,
    startedAt: heartbeatAt,
    heartbeatAt,
    finishedAt: '',
    error: '',
  });

  it('allows one running reindex, and takes over one whose worker went silent', () => {
    expect(mayStartReindex(undefined, NOW)).toBe(true);
    expect(mayStartReindex(job('SUCCEEDED', '2026-11-10T23:59:59Z'), NOW)).toBe(true);
    expect(mayStartReindex(job('RUNNING', '2026-11-10T23:59:30Z'), NOW)).toBe(false);
    expect(mayStartReindex(job('RUNNING', '2026-11-10T23:58:00Z'), NOW)).toBe(true);
  });
});

describe('msUntilOffersChange: how long the offers shown stay as they are', () => {
  const now = new Date('2026-12-06T01:00:00.000Z');
  const sale = (startsAt: string, endsAt: string): FlashSaleRecord => ({
    saleId: startsAt,
    skuId: 's',
    productId: 'p',
    priceMinor: 100,
    currency: 'CNY',
    startsAt,
    endsAt,
  });
  it('is the nearest start or end still ahead, Infinity when none is', () => {
    expect(msUntilOffersChange([], now)).toBe(Infinity);
    expect(
      msUntilOffersChange([sale('2026-12-06T00:00:00.000Z', '2026-12-06T00:59:59.999Z')], now),
    ).toBe(Infinity);
    expect(
      msUntilOffersChange(
        [
          sale('2026-12-06T00:00:00.000Z', '2026-12-06T01:00:05.000Z'),
          sale('2026-12-06T01:00:02.500Z', '2026-12-06T02:00:00.000Z'),
        ],
        now,
      ),
    ).toBe(2500);
    // a start at this very instant has happened (the offer shown already counts it)
    expect(
      msUntilOffersChange([sale('2026-12-06T01:00:00.000Z', '2026-12-06T01:00:00.700Z')], now),
    ).toBe(700);
  });
});
