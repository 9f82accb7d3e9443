import { LRUCache } from 'lru-cache';
import { counter } from '@emporia/platform';
import type { ProductIndex, SearchPage } from '../application/ports';
import type { SearchCriteria } from '../domain/search-criteria';

const lookups = counter(
  'emporia_search_result_cache_total',
  'Product searches by how the result cache answered: hit (a page fetched less than SEARCH_RESULT_CACHE_MS ago), shared (joined the same search in flight), miss (asked Elasticsearch)',
  ['outcome'],
);
/** The three label sets bound once (a search pays no label hashing). */
const counted = {
  hit: lookups.labels('hit'),
  shared: lookups.labels('shared'),
  miss: lookups.labels('miss'),
};

export interface SearchResultCacheOptions {
  /** How long a page is answered from memory after Elasticsearch gave it. */
  ttlMs: number;
  /** Pages held at most (the least recently used dropped first). */
  maxEntries: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/** What a missing page is fetched with. */
interface Asked {
  criteria: SearchCriteria;
  after?: unknown[];
}

/**
 * The product index with its searches answered from memory for `ttlMs`: during a sale the same
 * few searches arrive hundreds of times a second, and each costs Elasticsearch ~3 ms of CPU for
 * its hits and five facet aggregations. A page is kept by its exact criteria (the text with its
 * synonym variants, every filter, the sort, the facets asked for, the page size and the cursor),
 * so two searches share a page only when Elasticsearch would be asked the same thing. Concurrent
 * misses of one search share one request; a failed search is not kept (the next asks again).
 *
 * Staleness bound: a page is at most `ttlMs` older than Elasticsearch's own answer, which itself
 * shows a write after the index's refresh (1 s): a change is searchable at most
 * refresh + `ttlMs` after it was indexed. What is not in the page stays as fresh as before: each
 * search is still logged, and the flash sale on each hit and the category labels are looked up
 * per search (SearchProductsUseCase). Pages are shared: callers must not change them. Each answer
 * says how much longer its page is kept here (`reusableForMs`), so a caller holding a copy
 * (the gateway) stays within the same bound.
 *
 * Every other method goes straight to the index.
 */
export class CachedProductIndex implements ProductIndex {
  private readonly pages: LRUCache<string, SearchPage, Asked>;

  constructor(
    private readonly inner: ProductIndex,
    opts: SearchResultCacheOptions,
  ) {
    this.pages = new LRUCache({
      max: opts.maxEntries,
      ttl: opts.ttlMs,
      // a page past its time is never answered, not even while its successor is fetched
      allowStale: false,
      // a search whose page is pushed out while Elasticsearch is still answering it still gets
      // its answer (lru-cache otherwise rejects it: "evicted")
      ignoreFetchAbort: true,
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
      fetchMethod: (_key, _stale, { context }) =>
        this.inner.search(context.criteria, context.after),
    });
  }

  async search(criteria: SearchCriteria, after?: unknown[]): Promise<SearchPage> {
    const key = JSON.stringify(after ? [criteria, after] : [criteria]);
    const status: LRUCache.Status<string, SearchPage, Asked> = {};
    const page = await this.pages.fetch(key, { context: { criteria, after }, status });
    (status.fetch === 'hit'
      ? counted.hit
      : status.fetch === 'inflight'
        ? counted.shared
        : counted.miss
    ).inc();
    // fetchMethod never resolves undefined (the index answers a page or throws); what is left of
    // the page's time here is how long a caller may answer it again (0 once pushed out)
    const left = this.pages.getRemainingTTL(key);
    return { ...page!, reusableForMs: Number.isFinite(left) ? Math.max(0, Math.floor(left)) : 0 };
  }

  upsert: ProductIndex['upsert'] = (doc) => this.inner.upsert(doc);
  suggest: ProductIndex['suggest'] = (prefix, limit) => this.inner.suggest(prefix, limit);
  renameCategory: ProductIndex['renameCategory'] = (id, name) =>
    this.inner.renameCategory(id, name);
  productOfSku: ProductIndex['productOfSku'] = (skuId) => this.inner.productOfSku(skuId);
  setRating: ProductIndex['setRating'] = (productId, rating) =>
    this.inner.setRating(productId, rating);
}
