import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Producer } from 'kafkajs';
import { catalogV1, marketingV1, searchV1 } from '@emporia/contracts';
import { createKafka, HEADER } from '@emporia/messaging';
import { fromGrpcError } from '@emporia/platform';
import { eventually, grpcTestClient, testEnv, testLogger, uniqueSuffix } from '@emporia/testing';
import { startTestSearch } from './harness';

jest.setTimeout(120_000);

/**
 * Search depth on real Elasticsearch and Kafka: CJK and English relevance, facets, sorting,
 * stock, synonyms as data, suggestions, the search log, category names and flash-sale offers
 * from events.
 */
describe('search depth (real Elasticsearch + Kafka)', () => {
  const suffix = uniqueSuffix();
  const indexPrefix = `itd-${suffix}-`;
  const topicPrefix = `itd${suffix}.`;
  const es = testEnv.elasticsearchUrl();
  const kafka = createKafka({
    brokers: testEnv.kafkaBrokers().split(','),
    clientId: 'search-depth-it',
    logger: testLogger('kafka'),
  });
  let stop: () => Promise<void>;
  let client: ReturnType<typeof grpcTestClient>;
  let producer: Producer;
  const word = `zq${suffix}`.replace(/[^a-z0-9]/g, '');

  const CAT_ROOT = randomUUID();
  const CAT_PHONES = randomUUID();
  const CAT_CASES = randomUUID();

  const emit = async (topic: string, type: string, key: string, value: Uint8Array) => {
    await producer.send({
      topic: `${topicPrefix}${topic}`,
      acks: -1,
      messages: [
        {
          key,
          value: Buffer.from(value),
          headers: {
            [HEADER.eventId]: randomUUID(),
            [HEADER.eventType]: type,
            [HEADER.occurredAt]: new Date().toISOString(),
          },
        },
      ],
    });
  };

  const category = (id: string, name: string, pathIds: string[]) =>
    emit(
      'catalog.category',
      'emporia.catalog.v1.CategoryCreated',
      id,
      catalogV1.CategoryCreated.encode({
        category: {
          regulated: false,
          regulatedMarked: false,
          id,
          name,
          slug: id,
          parentId: pathIds.at(-2) ?? '',
          pathIds,
          depth: pathIds.length - 1,
          createdAt: '',
          updatedAt: '',
        },
      }).finish(),
    );

  type Sku = { price: number; stock?: number; attributes?: Record<string, string>; id?: string };
  const product = async (p: {
    title: string;
    brand?: string;
    description?: string;
    categoryPathIds?: string[];
    skus?: Sku[];
    unitsSold?: number;
    createdAt?: string;
    version?: number;
    id?: string;
  }) => {
    const id = p.id ?? randomUUID();
    const path = p.categoryPathIds ?? [CAT_ROOT, CAT_PHONES];
    const product: catalogV1.Product = {
      tags: [],
      manualTags: [],
      publishAt: '',
      unpublishAt: '',
      complianceStatus: catalogV1.ComplianceStatus.COMPLIANCE_STATUS_NOT_REQUIRED,
      id,
      title: p.title,
      description: p.description ?? '',
      brand: p.brand ?? 'Acme',
      categoryId: path.at(-1)!,
      categoryPathIds: path,
      rating: undefined,
      status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
      skus: (p.skus ?? [{ price: 1000 }]).map((s, i) => ({
        id: s.id ?? randomUUID(),
        code: `${id.slice(0, 8)}-${i}`,
        attributes: s.attributes ?? {},
        price: { amountMinor: s.price, currency: 'CNY' },
        originalPrice: undefined,
        stockOnHand: s.stock ?? 5,
        unitsSold: 0,
      })),
      unitsSold: p.unitsSold ?? 0,
      version: p.version ?? 1,
      createdAt: p.createdAt ?? new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    await emit(
      'catalog.product',
      'emporia.catalog.v1.ProductCreated',
      id,
      catalogV1.ProductCreated.encode({ product }).finish(),
    );
    return product;
  };

  const search = (req: Partial<searchV1.SearchProductsRequest>) =>
    client.call<searchV1.SearchProductsResponse>('searchProducts', req);
  const ids = (r: searchV1.SearchProductsResponse) => r.hits.map((h) => h.productId);
  const grpcError = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => fromGrpcError(e),
    );

  let huawei: catalogV1.Product;
  let phoneCase: catalogV1.Product;
  let iphone: catalogV1.Product;
  let soldOut: catalogV1.Product;
  let mentioned: catalogV1.Product;

  beforeAll(async () => {
    ({ client, stop } = await startTestSearch({
      indexPrefix,
      topicPrefix,
      group: `search-itd-${suffix}`,
      env: { SEARCH_MAX_ATTEMPTS: '3', SEARCH_SYNONYM_REFRESH_SECONDS: '0' },
    }));
    producer = kafka.producer();
    await producer.connect();

    await category(CAT_ROOT, '数码', [CAT_ROOT]);
    await category(CAT_PHONES, '手机', [CAT_ROOT, CAT_PHONES]);
    await category(CAT_CASES, '保护壳', [CAT_ROOT, CAT_CASES]);
    // names are looked up when a product is indexed: let the category events land first
    await eventually(
      async () => {
        const r = await fetch(`${es}/${indexPrefix}search-categories/_doc/${CAT_CASES}`);
        return r.status === 200 ? true : undefined;
      },
      { what: 'category names stored' },
    );

    huawei = await product({
      title: `华为 Mate 60 Pro ${word}`,
      brand: '华为',
      skus: [
        { price: 699900, attributes: { 颜色: '雅川青', 存储: '256GB' } },
        { price: 799900, attributes: { 颜色: '白沙银', 存储: '512GB' } },
      ],
      unitsSold: 50,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    phoneCase = await product({
      title: `透明手机壳 ${word}`,
      brand: 'Acme',
      categoryPathIds: [CAT_ROOT, CAT_CASES],
      skus: [{ price: 2900, attributes: { 颜色: '透明' } }],
      unitsSold: 500,
      createdAt: '2026-03-01T00:00:00.000Z',
    });
    iphone = await product({
      title: `Apple iPhone 15 smartphone ${word}`,
      brand: 'Apple',
      description: 'A phone with a great camera',
      skus: [{ price: 599900, attributes: { 存储: '256GB' } }],
      unitsSold: 120,
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    soldOut = await product({
      title: `华为 Nova 手机 ${word}`,
      brand: '华为',
      skus: [{ price: 199900, stock: 0 }],
      createdAt: '2026-04-01T00:00:00.000Z',
    });
    mentioned = await product({
      title: `Charging cable ${word}`,
      description: 'works with 华为 phones',
      skus: [{ price: 4900 }],
      createdAt: '2026-05-01T00:00:00.000Z',
    });
    await eventually(async () => ((await search({ query: word })).total === 5 ? true : undefined), {
      what: 'five products searchable',
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stop?.();
  });

  it('finds Chinese text without spaces, the title match first and the mention last', async () => {
    const r = await search({ query: `华为手机 ${word}` });
    expect(ids(r)).toEqual(expect.arrayContaining([huawei.id, soldOut.id]));
    expect(ids(r)).not.toContain(iphone.id);
    // in stock before out of stock at similar relevance
    expect(ids(r).indexOf(huawei.id)).toBeLessThan(ids(r).indexOf(soldOut.id));
    const brand = await search({ query: `华为 ${word}` });
    expect(ids(brand).at(-1)).toBe(mentioned.id);
    expect(ids(brand).slice(0, 2).sort()).toEqual([huawei.id, soldOut.id].sort());
  });

  it('stems English words and matches the category path name', async () => {
    expect(ids(await search({ query: `smartphones ${word}` }))).toEqual([iphone.id]);
    // "保护壳" is only the category's name
    expect(ids(await search({ query: `保护壳 ${word}` }))).toEqual([phoneCase.id]);
    expect((await search({ query: `${word} nothing-like-this` })).total).toBe(0);
  });

  it('counts facets disjunctively and labels categories', async () => {
    const r = await search({
      query: word,
      brands: ['华为'],
      includeFacets: true,
      priceFacetEdges: [5000, 300000],
    });
    expect(ids(r).sort()).toEqual([huawei.id, soldOut.id].sort());
    const brands = Object.fromEntries(r.facets!.brands.map((b) => [b.value, b.count]));
    // the brand facet ignores the brand selection; others honour it
    expect(brands).toEqual({ 华为: 2, Acme: 2, Apple: 1 });
    const cats = Object.fromEntries(r.facets!.categories.map((c) => [c.label, c.count]));
    expect(cats).toEqual({ 数码: 2, 手机: 2 });
    expect(
      r.facets!.priceRanges.map(({ fromMinor, toMinor, count }) => ({ fromMinor, toMinor, count })),
    ).toEqual([
      { toMinor: 5000, count: 0 },
      { fromMinor: 5000, toMinor: 300000, count: 1 },
      { fromMinor: 300000, count: 1 },
    ]);
    const colours = r.facets!.attributes.find((a) => a.name === '颜色')!;
    expect(Object.fromEntries(colours.values.map((v) => [v.value, v.count]))).toEqual({
      雅川青: 1,
      白沙银: 1,
    });

    const storage = await search({
      query: word,
      attributes: [{ name: '存储', values: ['256GB'] }],
      includeFacets: true,
    });
    expect(ids(storage).sort()).toEqual([huawei.id, iphone.id].sort());
    const own = storage.facets!.attributes.find((a) => a.name === '存储')!;
    expect(Object.fromEntries(own.values.map((v) => [v.value, v.count]))).toEqual({
      '256GB': 2,
      '512GB': 1,
    });
    expect(storage.hits.find((h) => h.productId === huawei.id)!.categoryNames).toEqual([
      '数码',
      '手机',
    ]);
  });

  it('sorts by price, sales and newest, and pages with the sort', async () => {
    const order = async (sort: searchV1.SortOrder) => ids(await search({ query: word, sort }));
    expect(await order(searchV1.SortOrder.SORT_ORDER_PRICE_ASC)).toEqual([
      phoneCase.id,
      mentioned.id,
      soldOut.id,
      iphone.id,
      huawei.id,
    ]);
    expect((await order(searchV1.SortOrder.SORT_ORDER_SALES)).slice(0, 3)).toEqual([
      phoneCase.id,
      iphone.id,
      huawei.id,
    ]);
    expect(await order(searchV1.SortOrder.SORT_ORDER_NEWEST)).toEqual([
      mentioned.id,
      soldOut.id,
      phoneCase.id,
      iphone.id,
      huawei.id,
    ]);
    const seen: string[] = [];
    let token = '';
    do {
      const page = await search({
        query: word,
        sort: searchV1.SortOrder.SORT_ORDER_PRICE_DESC,
        pageSize: 2,
        pageToken: token,
      });
      seen.push(...ids(page));
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual([huawei.id, iphone.id, soldOut.id, mentioned.id, phoneCase.id]);
  });

  it('leaves out products without stock when asked', async () => {
    const r = await search({ query: word, inStockOnly: true });
    expect(r.total).toBe(4);
    expect(ids(r)).not.toContain(soldOut.id);
  });

  it('uses synonym sets as data, without a reindex, and stops when one is deleted', async () => {
    const q = `移动电话 ${word}`;
    expect((await search({ query: q })).total).toBe(0);
    await client.call('putSynonymSet', {
      set: { id: `phones-${word}`, terms: ['手机', '移动电话'] },
    });
    // the same products as the term it stands for
    const direct = ids(await search({ query: `手机 ${word}` })).sort();
    expect(direct).toEqual(expect.arrayContaining([huawei.id, soldOut.id, phoneCase.id]));
    expect(ids(await search({ query: q })).sort()).toEqual(direct);
    const listed = await client.call<searchV1.ListSynonymSetsResponse>('listSynonymSets', {});
    expect(listed.sets.find((s) => s.id === `phones-${word}`)?.terms).toEqual(['手机', '移动电话']);
    await client.call('deleteSynonymSet', { id: `phones-${word}` });
    expect((await search({ query: q })).total).toBe(0);
    expect(
      await grpcError(client.call('deleteSynonymSet', { id: `phones-${word}` })),
    ).toMatchObject({ status: status.NOT_FOUND, code: 'SYNONYM_SET_NOT_FOUND' });
    expect(
      await grpcError(client.call('putSynonymSet', { set: { id: 'x', terms: ['only one'] } })),
    ).toMatchObject({ status: status.INVALID_ARGUMENT, code: 'SYNONYM_SET_INVALID' });
  });

  it('suggests brands and titles as the shopper types, only listed products', async () => {
    const r = await client.call<searchV1.SuggestResponse>('suggest', { prefix: 'appl', limit: 5 });
    expect(r.suggestions).toEqual(
      expect.arrayContaining([
        { text: 'Apple', kind: searchV1.SuggestionKind.SUGGESTION_KIND_BRAND },
        { text: iphone.title, kind: searchV1.SuggestionKind.SUGGESTION_KIND_PRODUCT },
      ]),
    );
    const cn = await client.call<searchV1.SuggestResponse>('suggest', {
      prefix: '透明手',
      limit: 5,
    });
    expect(cn.suggestions.map((s) => s.text)).toContain(phoneCase.title);
    expect(await grpcError(client.call('suggest', { prefix: ' ', limit: 5 }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'SUGGEST_PREFIX_INVALID',
    });
  });

  it('logs every text search with its result count: top and zero-result queries', async () => {
    const since = new Date().toISOString();
    const hot = `hot ${word}`;
    const dud = `dud-${word}`;
    for (let i = 0; i < 3; i++) await search({ query: `  HOT   ${word}` });
    await search({ query: dud });
    await search({ query: dud });
    await search({ query: '' }); // browsing is not logged
    const top = await client.call<searchV1.ListTopQueriesResponse>('listTopQueries', { since });
    expect(top.totalSearches).toBe(5);
    expect(top.queries[0]).toMatchObject({ query: hot, searches: 3, zeroResultSearches: 3 });
    const zero = await client.call<searchV1.ListTopQueriesResponse>('listTopQueries', {
      since,
      zeroResultsOnly: true,
    });
    expect(zero.queries.map((q) => q.query).sort()).toEqual([dud, hot].sort());
    expect(zero.queries.find((q) => q.query === dud)).toMatchObject({
      searches: 2,
      averageResults: 0,
    });
    // popular queries that found something become suggestions
    await search({ query: `${word} smartphone` });
    await eventually(
      async () => {
        const s = await client.call<searchV1.SuggestResponse>('suggest', {
          prefix: word,
          limit: 8,
        });
        return s.suggestions.some(
          (x) =>
            x.kind === searchV1.SuggestionKind.SUGGESTION_KIND_QUERY &&
            x.text === `${word} smartphone`,
        )
          ? true
          : undefined;
      },
      { what: 'the logged query suggested' },
    );
    expect(await grpcError(client.call('listTopQueries', { since: 'last week' }))).toMatchObject({
      status: status.INVALID_ARGUMENT,
      code: 'SEARCH_WINDOW_INVALID',
    });
  });

  it('shows a flash sale announced by marketing on its product, while it runs', async () => {
    const skuId = huawei.skus[1].id;
    const saleId = randomUUID();
    await emit(
      'marketing.flash-sale',
      'emporia.marketing.v1.FlashSaleScheduled',
      saleId,
      marketingV1.FlashSaleScheduled.encode({
        sale: {
          id: saleId,
          skuId,
          price: { amountMinor: 499900, currency: 'CNY' },
          stock: 100,
          perUserLimit: 1,
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
        productId: '',
      }).finish(),
    );
    const hit = await eventually(
      async () => {
        const r = await search({ query: word });
        return r.hits.find((h) => h.productId === huawei.id && h.flashSale);
      },
      { what: 'the flash sale on the hit' },
    );
    expect(hit.flashSale).toMatchObject({
      saleId,
      skuId,
      price: { amountMinor: 499900, currency: 'CNY' },
      active: true,
    });
    expect(
      (await search({ query: word })).hits.find((h) => h.productId === iphone.id)!.flashSale ??
        undefined,
    ).toBeUndefined();
  });

  it('rewrites a renamed category on its products, so the new name is searchable', async () => {
    await emit(
      'catalog.category',
      'emporia.catalog.v1.CategoryUpdated',
      CAT_CASES,
      catalogV1.CategoryUpdated.encode({
        category: {
          regulated: false,
          regulatedMarked: false,
          id: CAT_CASES,
          name: '手机配件',
          slug: 'cases',
          parentId: CAT_ROOT,
          pathIds: [CAT_ROOT, CAT_CASES],
          depth: 1,
          createdAt: '',
          updatedAt: '',
        },
      }).finish(),
    );
    await eventually(
      async () =>
        ids(await search({ query: `手机配件 ${word}` }))[0] === phoneCase.id ? true : undefined,
      { what: 'renamed category searchable' },
    );
    const hit = (await search({ query: `手机配件 ${word}` })).hits[0];
    expect(hit.categoryNames).toEqual(['数码', '手机配件']);
    // a newer product version still wins over the rewrite
    await product({
      ...phoneCase,
      id: phoneCase.id,
      title: `磨砂手机壳 ${word}`,
      version: 2,
      categoryPathIds: [CAT_ROOT, CAT_CASES],
      skus: [{ price: 2900 }],
      unitsSold: 500,
    });
    await eventually(
      async () =>
        (await search({ query: `磨砂 ${word}` })).hits[0]?.categoryNames[1] === '手机配件'
          ? true
          : undefined,
      { what: 'version 2 applied with the new name' },
    );
  });
});
