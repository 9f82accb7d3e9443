import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { eventually, startPlatform, type Api, type Platform } from '@emporia/testing';

jest.setTimeout(240_000);

const PRODUCTS = 60;

/**
 * Search through the gateway with catalog, search and user as processes on real Postgres,
 * Kafka and Elasticsearch: filters, facets and sorts as query parameters, the operator surface,
 * and a full reindex that serves every search while it runs and keeps a change made during it.
 */
describe('search end to end: gateway → search ← catalog', () => {
  let platform: Platform;
  let ops: Api;
  let customer: Record<string, string>;
  let word: string;
  let categoryId: string;
  const productIds: string[] = [];

  beforeAll(async () => {
    platform = await startPlatform({
      catalog: true,
      search: true,
      user: true,
      // small batches, so the reindex spans many round trips
      searchEnv: { SEARCH_REINDEX_BATCH_SIZE: '7' },
    });
    const operator = await platform.signIn(
      `ops.${platform.suffix}@example.cn`,
      'operator password 1',
      'customer,operator',
    );
    ops = (method, path, body, headers = {}) =>
      platform.api(method, path, body, { ...operator.auth, ...headers });
    customer = (await platform.signIn(`c.${platform.suffix}@example.cn`, 'customer password 1'))
      .auth;
    word = `yq${platform.suffix}`.replace(/[^a-z0-9]/g, '');
    const cat = await ops('POST', '/v1/categories', { name: '耳机', slug: `earphones-${word}` });
    expect(cat.status).toBe(201);
    categoryId = cat.body.id;
    for (let i = 0; i < PRODUCTS; i++) {
      const res = await ops('POST', '/v1/products', {
        title: `${i % 2 ? '降噪耳机' : 'Wireless earbuds'} ${word} ${i}`,
        brand: i % 3 ? 'Sony' : '漫步者',
        categoryId,
        skus: [
          {
            code: `E-${word}-${i}`,
            attributes: { colour: i % 2 ? 'black' : 'white' },
            price: { amountMinor: 10000 + i * 100, currency: 'CNY' },
          },
        ],
      });
      expect(res.status).toBe(201);
      productIds.push(res.body.id);
    }
    await eventually(
      async () => {
        const r = await platform.api('GET', `/v1/search/products?q=${word}&limit=1`);
        return r.body.total === PRODUCTS ? true : undefined;
      },
      { what: 'every product searchable', timeoutMs: 60_000 },
    );
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('filters, facets and sorts by query parameters, and refuses bad ones as problem+json', async () => {
    const r = await platform.api(
      'GET',
      `/v1/search/products?q=${encodeURIComponent(`降噪 ${word}`)}&brand=Sony&brand=${encodeURIComponent('漫步者')}&attr=colour:black&sort=price_desc&facets=true&priceEdges=10500,20000&limit=5`,
    );
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(30);
    const prices = r.body.items.map(
      (i: { minPrice: { amountMinor: number } }) => i.minPrice.amountMinor,
    );
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    expect(r.body.items[0]).toMatchObject({
      categoryNames: ['耳机'],
      flashSale: null,
      inStock: false,
    });
    expect(r.body.facets.categories).toEqual([{ value: categoryId, label: '耳机', count: 30 }]);
    expect(r.body.facets.attributes).toEqual([
      { name: 'colour', values: [{ value: 'black', count: 30 }] },
    ]);
    expect(r.body.facets.priceRanges.map((p: { count: number }) => p.count)).toEqual([2, 28, 0]);

    const sugg = await platform.api(
      'GET',
      `/v1/search/suggestions?q=${encodeURIComponent('漫步')}`,
    );
    expect(sugg.status).toBe(200);
    expect(sugg.body.items).toContainEqual({ text: '漫步者', kind: 'brand' });

    for (const bad of ['sort=cheapest', 'attr=colour', 'priceEdges=a,b', 'facets=yes']) {
      const res = await platform.api('GET', `/v1/search/products?q=x&${bad}`);
      expect(res.status).toBe(400);
      expect(res.type).toMatch(/^application\/problem\+json/);
    }
    const edges = await platform.api('GET', `/v1/search/products?q=x&facets=true&priceEdges=9,3`);
    expect([edges.status, edges.body.code]).toEqual([400, 'SEARCH_FACET_INVALID']);
    expect((await platform.api('GET', '/v1/search/suggestions')).status).toBe(400);
  });

  it('answers the same pages, cursors and problems on the fast route as on the Nest route', async () => {
    // `minRating=1.0000000` and `minPrice=0.0` are the same values to SearchQuery, but the fast
    // route leaves them to the Nest route (SearchProducts mapped by the gateway): the two answers
    // of each pair come from the two paths (SearchProductsPage rendered by search, sent on)
    // Elasticsearch's relevance scores (and the cursors made of them) move when a segment merge
    // or a late catalog event lands between the two requests: a pair is taken again until both
    // were read from the same index state, and a real difference between the routes stays
    const pages = async (query: string) => {
      for (let attempt = 1; ; attempt++) {
        const fast = await platform.api('GET', `/v1/search/products?${query}&minPrice=0`);
        const nest = await platform.api('GET', `/v1/search/products?${query}&minPrice=0.0`);
        expect([fast.status, fast.type]).toEqual([200, 'application/json; charset=utf-8']);
        expect([nest.status, nest.type]).toEqual([200, 'application/json; charset=utf-8']);
        if (attempt < 5 && !isDeepStrictEqual(fast.body, nest.body)) continue;
        expect(fast.body).toEqual(nest.body);
        return fast.body;
      }
    };
    const first = await pages(
      `q=${encodeURIComponent(`降噪 ${word}`)}&currency=CNY&facets=true&priceEdges=10500,20000&limit=4&attr=colour:black`,
    );
    expect(first.items).toHaveLength(4);
    expect(first.facets.categories).toEqual([{ value: categoryId, label: '耳机', count: 30 }]);
    const next = await pages(
      `q=${encodeURIComponent(`降噪 ${word}`)}&currency=CNY&limit=4&attr=colour:black&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    expect(next.items.map((i: { productId: string }) => i.productId)).not.toContain(
      first.items[0].productId,
    );
    await pages(`q=${word}&currency=CNY&sort=price_asc&brand=Sony&facets=true&limit=30`);
    // the rating filter: unrated products are left out on both routes
    const rated = await platform.api('GET', `/v1/search/products?q=${word}&minRating=1`);
    const ratedNest = await platform.api(
      'GET',
      `/v1/search/products?q=${word}&minRating=1.0000000`,
    );
    expect([rated.status, rated.body]).toEqual([ratedNest.status, ratedNest.body]);
    // the search service's own problems (a cursor it did not make) through the fast route
    const bad = await platform.api('GET', `/v1/search/products?q=${word}&cursor=garbage!`);
    const badNest = await platform.api(
      'GET',
      `/v1/search/products?q=${word}&minPrice=0.0&currency=CNY&cursor=garbage!`,
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'INVALID_CURSOR']);
    expect(bad.type).toMatch(/^application\/problem\+json/);
    expect([badNest.status, badNest.body.code]).toEqual([400, 'INVALID_CURSOR']);
  });

  it('keeps the operator surface to operators and mines zero-result queries', async () => {
    const dud = `nothing-${word}`;
    await platform.api('GET', `/v1/search/products?q=${dud}`);
    for (const path of ['/v1/admin/search/queries', '/v1/admin/search/synonyms']) {
      expect((await platform.api('GET', path, undefined, customer)).status).toBe(403);
      expect((await platform.api('GET', path)).status).toBe(401);
    }
    const zero = await eventually(
      async () => {
        const res = await ops('GET', '/v1/admin/search/queries?zeroResults=true&limit=200');
        return res.body.items.find((q: { query: string }) => q.query === dud);
      },
      { what: 'the zero-result query mined' },
    );
    expect(zero).toMatchObject({ searches: 1, zeroResultSearches: 1 });
    const put = await ops('PUT', `/v1/admin/search/synonyms/earbuds-${word}`, {
      terms: ['earbuds', '耳塞'],
    });
    expect(put.status).toBe(200);
    const syn = await platform.api(
      'GET',
      `/v1/search/products?q=${encodeURIComponent(`耳塞 ${word}`)}&limit=1`,
    );
    expect(syn.body.total).toBe(PRODUCTS / 2);
    expect((await ops('DELETE', `/v1/admin/search/synonyms/earbuds-${word}`)).status).toBe(204);
    const gone = await ops('DELETE', `/v1/admin/search/synonyms/earbuds-${word}`);
    expect([gone.status, gone.body.code]).toEqual([404, 'SYNONYM_SET_NOT_FOUND']);
  });

  it('answers a repeated search from the gateway’s copy and still counts every search in the log', async () => {
    const metric = async (outcome: string) => {
      const text = await (await fetch(`${platform.gatewayOpsUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`emporia_gateway_search_cache_total{outcome="${outcome}"}`));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const popular = `popular ${word}`;
    const path = `/v1/search/products?q=${encodeURIComponent(popular)}&facets=true`;
    const hitsBefore = await metric('hit');
    // six at once (one asks the search service, the others join it), then six one after another
    const first = await Promise.all(Array.from({ length: 6 }, () => platform.api('GET', path)));
    const again: { status: number; body: unknown }[] = [];
    for (let i = 0; i < 6; i++) again.push(await platform.api('GET', path));
    for (const r of [...first, ...again]) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(first[0].body);
    }
    expect(await metric('hit')).toBeGreaterThan(hitsBefore);
    // the search log counts all twelve: the ones the gateway answered are reported within a second
    const logged = await eventually(
      async () => {
        const res = await ops('GET', '/v1/admin/search/queries?limit=200');
        const q = res.body.items.find((x: { query: string }) => x.query === popular);
        return q?.searches === 12 ? q : undefined;
      },
      { what: 'twelve searches of the popular query logged' },
    );
    const found = (first[0].body as { total: number }).total;
    expect(logged.zeroResultSearches).toBe(found === 0 ? 12 : 0);
  });

  it('reindexes from the catalog with no failed search and no lost change', async () => {
    const before = await ops('GET', '/v1/admin/search/reindex');
    const previous = before.status === 200 ? before.body.targetIndex : undefined;

    // three operators press the button at once: one reindex runs
    const starts = await Promise.all([1, 2, 3].map(() => ops('POST', '/v1/admin/search/reindex')));
    const started = starts.filter((s) => s.status === 202);
    expect(started).toHaveLength(1);
    for (const s of starts.filter((x) => x.status !== 202))
      expect([s.status, s.body.code]).toEqual([422, 'REINDEX_RUNNING']);
    const id = started[0].body.id as string;

    // while it runs: searches keep answering in full, and a product changes
    const renamed = `renamed${word}`;
    const patch = await ops('PATCH', `/v1/products/${productIds[0]}`, {
      title: `Wireless earbuds ${word} ${renamed}`,
    });
    expect(patch.status).toBe(200);
    const totals: number[] = [];
    let job;
    for (;;) {
      const s = await platform.api('GET', `/v1/search/products?q=${word}&limit=1`);
      expect(s.status).toBe(200);
      totals.push(s.body.total);
      job = (await ops('GET', `/v1/admin/search/reindex/${id}`)).body;
      if (job.state !== 'running') break;
    }
    expect(job).toMatchObject({ state: 'succeeded', error: null });
    expect(job.productsIndexed).toBeGreaterThanOrEqual(PRODUCTS);
    expect(job.batches).toBeGreaterThanOrEqual(Math.ceil(PRODUCTS / 7));
    expect(job.targetIndex).not.toBe(job.previousIndex);
    if (previous) expect(job.previousIndex).toBe(previous);
    expect(new Set(totals)).toEqual(new Set([PRODUCTS]));

    const found = await eventually(
      async () => {
        const r = await platform.api('GET', `/v1/search/products?q=${renamed}`);
        return r.body.total === 1 ? r.body.items[0] : undefined;
      },
      { what: 'the change made during the reindex searchable' },
    );
    expect(found.productId).toBe(productIds[0]);
    const after = await platform.api('GET', `/v1/search/products?q=${word}&limit=1`);
    expect(after.body.total).toBe(PRODUCTS);
    expect((await ops('GET', `/v1/admin/search/reindex/${randomUUID()}`)).status).toBe(404);
  });
});
