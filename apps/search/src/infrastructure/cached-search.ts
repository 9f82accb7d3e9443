import { LRUCache } from 'lru-cache';
import { counter } from '@emporia/platform';
import type { ProductIndex, SearchFacets, SearchPage } from '../application/ports';
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
const facetLookups = counter(
  'emporia_search_facet_cache_total',
  'Searches with facets that asked Elasticsearch, by how their facets were found: hit (counted less than SEARCH_FACET_CACHE_MS ago for the same search in another order or page: only the hits asked), miss (hits and facets asked together) or recounted (held, but the total had changed since: the counts asked again after the hits)',
  ['outcome'],
);
const facetCounted = {
  hit: facetLookups.labels('hit'),
  miss: facetLookups.labels('miss'),
  recounted: facetLookups.labels('recounted'),
};

/** A search's facet counts, with the total they were counted with. */
interface HeldFacets {
  facets: SearchFacets;
  total: number;
}

export interface SearchResultCacheOptions {
  /** How long a page is answered from memory after Elasticsearch gave it (0: not at all). */
  ttlMs: number;
  /** Pages held at most (the least recently used dropped first). */
  maxEntries: number;
  /**
   * How long a search's facet counts are used again, after Elasticsearch counted them, for the
   * same search in another order or at another page (0 or absent: never; facets come with the page).
   */
  facetTtlMs?: number;
  /** Facet sets held at most (the least recently used dropped first). */
  facetMaxEntries?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/** What a missing page is fetched with. */
interface Asked {
  criteria: SearchCriteria;
  after?: unknown[];
}

/** What a search's facets depend on: everything but its order, page size and cursor. */
export function facetKey(criteria: SearchCriteria): string {
  const { sort: _sort, size: _size, ...counted } = criteria;
  return JSON.stringify(counted);
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
 * Facet counts (`facetTtlMs`): the facets depend on the search's text and filters, not on its
 * order, page size or cursor (`facetKey`), and they are a large part of Elasticsearch's work for a
 * search (the aggregations: ~0.8 of ~2.2 ms of its CPU for the benchmark's searches). A search missing
 * its page whose facets were counted less than `facetTtlMs` ago (the same search sorted another
 * way, or another of its pages) asks Elasticsearch for its hits and total only, and shows those
 * facets, unless its total differs from the one the counts were held with (products entered or
 * left its results): then the counts alone are asked again (their total must match the hits';
 * otherwise hits and facets are asked together). Bound: facet counts are at
 * most `facetTtlMs` older than Elasticsearch's count (a page showing them is kept no longer than
 * they are), and never shown with another total than theirs; hits, total and everything else
 * keep the page's bound.
 *
 * Every other method goes straight to the index.
 */
export class CachedProductIndex implements ProductIndex {
  private readonly pages?: LRUCache<string, SearchPage, Asked>;
  private readonly facets?: LRUCache<string, HeldFacets>;
  private readonly ttlMs: number;
  private readonly facetTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: ProductIndex,
    opts: SearchResultCacheOptions,
  ) {
    this.ttlMs = opts.ttlMs;
    this.facetTtlMs = opts.facetTtlMs ?? 0;
    this.now = opts.now ?? (() => performance.now());
    const clock = opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {};
    if (opts.ttlMs > 0)
      this.pages = new LRUCache({
        max: opts.maxEntries,
        ttl: opts.ttlMs,
        // a page past its time is never answered, not even while its successor is fetched
        allowStale: false,
        // a search whose page is pushed out while Elasticsearch is still answering it still gets
        // its answer (lru-cache otherwise rejects it: "evicted")
        ignoreFetchAbort: true,
        ...clock,
        fetchMethod: async (_key, _stale, { context, options }) => {
          const { page, facetsLeftMs } = await this.ask(context.criteria, context.after);
          // a page is kept no longer than the facet counts it shows (lru-cache: 0 is "forever")
          if (facetsLeftMs !== undefined && facetsLeftMs < this.ttlMs)
            options.ttl = Math.max(1, facetsLeftMs);
          return page;
        },
      });
    if (this.facetTtlMs > 0)
      this.facets = new LRUCache({
        max: opts.facetMaxEntries ?? opts.maxEntries,
        ttl: this.facetTtlMs,
        allowStale: false,
        ...clock,
      });
  }

  async search(criteria: SearchCriteria, after?: unknown[]): Promise<SearchPage> {
    if (!this.pages) return (await this.ask(criteria, after)).page;
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

  /**
   * A page from Elasticsearch: its hits only, with facet counts held from another order or page of
   * the same search (counted again alone when its total changed); or hits and facets together,
   * the facets then held for the others. Answers how much longer the facets shown are good for
   * (undefined: no facets held).
   */
  private async ask(
    criteria: SearchCriteria,
    after?: unknown[],
  ): Promise<{ page: SearchPage; facetsLeftMs?: number }> {
    if (!this.facets || !criteria.facets) return { page: await this.inner.search(criteria, after) };
    const key = facetKey(criteria);
    const held = this.facets.get(key);
    if (held) {
      const expiresAt = this.now() + this.facets.getRemainingTTL(key);
      const page = await this.inner.search({ ...criteria, facets: undefined }, after);
      // the same total as when they were counted (otherwise products entered or left the
      // results: the counts are asked again)
      if (page.total === held.total) {
        facetCounted.hit.inc();
        // what is left of the facets' time once the hits are here (0: it ran out meanwhile)
        return {
          page: { ...page, facets: held.facets },
          facetsLeftMs: Math.max(0, expiresAt - this.now()),
        };
      }
      facetCounted.recounted.inc();
      // the hits are here: the counts alone are asked (no hits: size 0), not the whole search again
      const recount = await this.inner.search({ ...criteria, size: 0 });
      if (recount.facets && recount.total === page.total) {
        this.facets.set(key, { facets: recount.facets, total: recount.total });
        return { page: { ...page, facets: recount.facets }, facetsLeftMs: this.facetTtlMs };
      }
      // the results changed again between the two: hits and facets asked together, below
    } else facetCounted.miss.inc();
    const page = await this.inner.search(criteria, after);
    if (!page.facets) return { page };
    this.facets.set(key, { facets: page.facets, total: page.total });
    return { page, facetsLeftMs: this.facetTtlMs };
  }

  upsert: ProductIndex['upsert'] = (doc) => this.inner.upsert(doc);
  suggest: ProductIndex['suggest'] = (prefix, limit) => this.inner.suggest(prefix, limit);
  renameCategory: ProductIndex['renameCategory'] = (id, name) =>
    this.inner.renameCategory(id, name);
  productOfSku: ProductIndex['productOfSku'] = (skuId) => this.inner.productOfSku(skuId);
  setRating: ProductIndex['setRating'] = (productId, rating) =>
    this.inner.setRating(productId, rating);
}
