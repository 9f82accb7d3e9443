import { LRUCache } from 'lru-cache';
import { counter } from '@emporia/platform';
import type { ProductIndex, SearchFacets, SearchOptions, SearchPage } from '../application/ports';
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
  'Searches with facets that asked Elasticsearch, by how their facets were found: hit (held from the same search in another order or page, the same products matching unchanged: only the hits asked), miss (hits and facets asked together), recounted (held, but the products matching had changed since: the counts asked again after the hits) or unsettled (held, but the matches had changed at the last check: hits and facets asked together)',
  ['outcome'],
);
const facetCounted = {
  hit: facetLookups.labels('hit'),
  miss: facetLookups.labels('miss'),
  recounted: facetLookups.labels('recounted'),
  unsettled: facetLookups.labels('unsettled'),
};

/** A search's facet counts, with which products they counted (`SearchPage.matched`). */
interface HeldFacets {
  facets: SearchFacets;
  matched: string;
  /**
   * The matches had changed when these were counted (the counts before them no longer held): the
   * next search asks hits and facets together, one request, rather than its hits and then, the
   * matches having changed again, its counts.
   */
  unsettled?: boolean;
}

/** Every request here asks which products matched (the held counts are checked against it). */
const MATCHED: SearchOptions = { matched: true };

export interface SearchResultCacheOptions {
  /** How long a page is answered from memory after Elasticsearch gave it (0: not at all). */
  ttlMs: number;
  /** Pages held at most (the least recently used dropped first). */
  maxEntries: number;
  /**
   * How long a search's facet counts are held, after Elasticsearch counted them, for the same
   * search in another order or at another page, while the same products match it with the same
   * facet values (0 or absent: not at all; facets come with the page).
   */
  facetTtlMs?: number;
  /** Facet sets held at most (the least recently used dropped first). */
  facetMaxEntries?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/** A page as answered: with these facets, without `matched` (this cache's own business). */
function shown(page: SearchPage, facets: SearchFacets | undefined): SearchPage {
  const { matched: _matched, facets: _facets, ...rest } = page;
  return facets ? { ...rest, facets } : rest;
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
 * search (the aggregations: ~0.9 of ~2.1 ms of its CPU for the benchmark's searches). Every
 * request also asks which products matched (`SearchPage.matched`: their count and their facet
 * prints' sum, lowest and highest, facet-print.ts). A search missing its page whose facets are
 * held (the same search sorted another way, or another of its pages) asks Elasticsearch for its
 * hits and total only, and shows the held facets when the same products match with the same facet
 * values (a write to their stock, sales, rating or title leaves the counts held); otherwise (a
 * product entered, left or changed a faceted field) the counts alone are asked again, and shown
 * when they counted the products the hits came from (if the matches changed again in between,
 * hits and facets are asked together). Counts asked again that way are held as unsettled: the
 * next search asks hits and facets together (one request: a search whose matches change between
 * most of its searches would otherwise pay two, its hits and then its counts), and settles when
 * it finds the matches as they were counted. So the facets shown are always Elasticsearch's count
 * of the products the hits were found among, and a page is as fresh as a whole as its hits: the
 * page bound above.
 * `facetTtlMs` only bounds how long counts are held for reuse.
 *
 * Every other method goes straight to the index.
 */
export class CachedProductIndex implements ProductIndex {
  private readonly pages?: LRUCache<string, SearchPage, Asked>;
  private readonly facets?: LRUCache<string, HeldFacets>;
  private readonly facetTtlMs: number;

  constructor(
    private readonly inner: ProductIndex,
    opts: SearchResultCacheOptions,
  ) {
    this.facetTtlMs = opts.facetTtlMs ?? 0;
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
        fetchMethod: async (_key, _stale, { context }) => this.ask(context.criteria, context.after),
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
    if (!this.pages) return this.ask(criteria, after);
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
   * the same search while the same products match (counted again alone when they changed); or
   * hits and facets together (none held, or the matches changed at the last check), the facets
   * then held for the others.
   */
  private async ask(criteria: SearchCriteria, after?: unknown[]): Promise<SearchPage> {
    if (!this.facets || !criteria.facets) return this.inner.search(criteria, after);
    const key = facetKey(criteria);
    const held = this.facets.get(key);
    if (held && !held.unsettled) {
      const page = await this.inner.search({ ...criteria, facets: undefined }, after, MATCHED);
      if (page.matched === held.matched) {
        facetCounted.hit.inc();
        return shown(page, held.facets);
      }
      facetCounted.recounted.inc();
      // products entered, left or changed: the counts alone are asked (no hits: size 0), not the
      // whole search again, and shown if they counted the products the hits came from
      const recount = await this.inner.search({ ...criteria, size: 0 }, undefined, MATCHED);
      if (recount.facets && recount.matched !== undefined && recount.matched === page.matched) {
        this.facets.set(key, { facets: recount.facets, matched: recount.matched, unsettled: true });
        return shown(page, recount.facets);
      }
      // the matches changed again between the two: hits and facets asked together, below
    } else (held ? facetCounted.unsettled : facetCounted.miss).inc();
    // hits and facets together: no counts held, or the matches changed at the last check (a
    // search whose matches change between most of its searches pays one request, not two; one
    // that finds them as they were counted settles, and the next asks its hits only)
    const page = await this.inner.search(criteria, after, MATCHED);
    if (page.facets && page.matched !== undefined)
      this.facets.set(key, {
        facets: page.facets,
        matched: page.matched,
        unsettled: held !== undefined && page.matched !== held.matched,
      });
    return shown(page, page.facets);
  }

  upsert: ProductIndex['upsert'] = (doc) => this.inner.upsert(doc);
  suggest: ProductIndex['suggest'] = (prefix, limit) => this.inner.suggest(prefix, limit);
  renameCategory: ProductIndex['renameCategory'] = (id, name) =>
    this.inner.renameCategory(id, name);
  productOfSku: ProductIndex['productOfSku'] = (skuId) => this.inner.productOfSku(skuId);
  setRating: ProductIndex['setRating'] = (productId, rating) =>
    this.inner.setRating(productId, rating);
}
