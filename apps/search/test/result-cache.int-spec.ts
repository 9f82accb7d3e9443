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
  /** The index, counting the searches that reach Elasticsearch. */
  let asked = 0;
  const counting: ProductIndex = Object.assign(Object.create(index) as ProductIndex, {
    search: (c: Parameters<ProductIndex['search']>[0], after?: unknown[]) => {
      asked++;
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
});
