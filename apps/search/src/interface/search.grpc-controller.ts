import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { searchV1 } from '@emporia/contracts';
import {
  decodeCursor,
  encodeCursor,
  rawUnary,
  withGrpcContext,
  type RequestContext,
} from '@emporia/platform';
import type { SearchFacets } from '../application/ports';
import { ReindexUseCase } from '../application/reindex.use-case';
import {
  SearchProductsUseCase,
  SuggestUseCase,
  TopQueriesUseCase,
  type SearchResult,
} from '../application/search-products.use-case';
import { SynonymSetsUseCase } from '../application/synonym-sets.use-case';
import type { ReindexJob } from '../domain/reindex';
import type { SearchInput, SortOrder } from '../domain/search-criteria';
import { SearchError } from '../domain/search-error';
import type { SynonymSet } from '../domain/synonyms';
import { searchPageJson } from './search-page.json';

/** An empty search (a SearchProductsPageRequest without its search: every product). */
const EMPTY_SEARCH: searchV1.SearchProductsRequest = {
  query: '',
  categoryId: '',
  currency: '',
  pageSize: 0,
  pageToken: '',
  brands: [],
  attributes: [],
  sort: searchV1.SortOrder.SORT_ORDER_RELEVANCE,
  inStockOnly: false,
  includeFacets: false,
  priceFacetEdges: [],
  tags: [],
};

const isAfter = (v: unknown): v is { s: unknown[] } =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as { s: unknown }).s) &&
  [2, 3].includes((v as { s: unknown[] }).s.length) &&
  (v as { s: unknown[] }).s.every((x) => typeof x === 'number' || typeof x === 'string');

const SORT: Record<string, SortOrder> = {
  [searchV1.SortOrder.SORT_ORDER_UNSPECIFIED]: 'RELEVANCE',
  [searchV1.SortOrder.SORT_ORDER_RELEVANCE]: 'RELEVANCE',
  [searchV1.SortOrder.SORT_ORDER_PRICE_ASC]: 'PRICE_ASC',
  [searchV1.SortOrder.SORT_ORDER_PRICE_DESC]: 'PRICE_DESC',
  [searchV1.SortOrder.SORT_ORDER_SALES]: 'SALES',
  [searchV1.SortOrder.SORT_ORDER_NEWEST]: 'NEWEST',
  [searchV1.SortOrder.SORT_ORDER_RATING]: 'RATING',
};

const SUGGESTION_KIND = {
  QUERY: searchV1.SuggestionKind.SUGGESTION_KIND_QUERY,
  BRAND: searchV1.SuggestionKind.SUGGESTION_KIND_BRAND,
  PRODUCT: searchV1.SuggestionKind.SUGGESTION_KIND_PRODUCT,
};

const REINDEX_STATE = {
  RUNNING: searchV1.ReindexState.REINDEX_STATE_RUNNING,
  SUCCEEDED: searchV1.ReindexState.REINDEX_STATE_SUCCEEDED,
  FAILED: searchV1.ReindexState.REINDEX_STATE_FAILED,
};

function facetsToProto(f: SearchFacets, labels: Map<string, string>): searchV1.Facets {
  return {
    categories: f.categories.map((c) => ({ ...c, label: labels.get(c.value) ?? '' })),
    brands: f.brands.map((b) => ({ ...b, label: '' })),
    tags: f.tags.map((t) => ({ ...t, label: '' })),
    priceRanges: f.priceRanges.map((r) => ({
      ...(r.from !== undefined ? { fromMinor: r.from } : {}),
      ...(r.to !== undefined ? { toMinor: r.to } : {}),
      count: r.count,
    })),
    attributes: f.attributes.map((a) => ({
      name: a.name,
      values: a.values.map((v) => ({ ...v, label: '' })),
    })),
  };
}

function hitsToProto(result: SearchResult): searchV1.ProductHit[] {
  return result.hits.map(({ document: d, score, flashSale }) => ({
    productId: d.product_id,
    title: d.title,
    // an index built before mapping v4 has no tags until it is rebuilt
    tags: d.tags ?? [],
    brand: d.brand,
    categoryId: d.category_id,
    minPrice: { amountMinor: d.min_price, currency: d.currency },
    maxPrice: { amountMinor: d.max_price, currency: d.currency },
    inStock: d.in_stock,
    score,
    version: d.version,
    unitsSold: d.units_sold ?? 0,
    categoryNames: d.category_names ?? [],
    // from review.product ProductRatingChanged (0 and 0 when unrated)
    ratingAverage: d.rating_average ?? 0,
    reviewCount: d.review_count ?? 0,
    flashSale: flashSale
      ? {
          saleId: flashSale.saleId,
          skuId: flashSale.skuId,
          price: { amountMinor: flashSale.priceMinor, currency: flashSale.currency },
          startsAt: flashSale.startsAt,
          endsAt: flashSale.endsAt,
          active: flashSale.active,
        }
      : undefined,
  }));
}

const synonymToProto = (s: SynonymSet): searchV1.SynonymSet => ({
  id: s.id,
  terms: s.terms,
  updatedAt: s.updatedAt,
});

const reindexToProto = (j: ReindexJob): searchV1.Reindex => ({
  id: j.id,
  state: REINDEX_STATE[j.state],
  targetIndex: j.targetIndex,
  previousIndex: j.previousIndex,
  productsIndexed: j.productsIndexed,
  caughtUp: j.caughtUp,
  batches: j.batches,
  startedAt: j.startedAt,
  finishedAt: j.finishedAt,
  error: j.error,
});

/** A SearchProductsRequest as the use case's input (without its cursor). */
const searchInputOf = (req: searchV1.SearchProductsRequest): SearchInput => ({
  query: req.query,
  categoryId: req.categoryId,
  currency: req.currency,
  pageSize: req.pageSize,
  ...(req.minPriceMinor !== undefined ? { minPriceMinor: req.minPriceMinor } : {}),
  ...(req.maxPriceMinor !== undefined ? { maxPriceMinor: req.maxPriceMinor } : {}),
  brands: req.brands ?? [],
  tags: req.tags ?? [],
  attributes: (req.attributes ?? []).map((a) => ({ name: a.name, values: a.values })),
  sort: SORT[req.sort] ?? 'RELEVANCE',
  inStockOnly: req.inStockOnly ?? false,
  includeFacets: req.includeFacets ?? false,
  priceFacetEdges: req.priceFacetEdges ?? [],
  ...(req.minRating !== undefined ? { minRating: req.minRating } : {}),
});

/** A SearchProductsRequest as the use case's input (the cursor decoded: INVALID_CURSOR). */
function searchWith(
  uc: SearchProductsUseCase,
  ctx: RequestContext,
  req: searchV1.SearchProductsRequest,
): Promise<SearchResult> {
  const after = req.pageToken ? decodeCursor(req.pageToken, isAfter).s : undefined;
  return uc.execute(ctx, searchInputOf(req), after);
}

/** `SearchProductsPage`: the search rendered once as the gateway's page (search-page.json.ts). */
export async function searchProductsPage(
  uc: SearchProductsUseCase,
  ctx: RequestContext,
  req: searchV1.SearchProductsPageRequest,
): Promise<searchV1.SearchProductsPageResponse> {
  const result = await searchWith(uc, ctx, req.search ?? EMPTY_SEARCH);
  return {
    pageJson: searchPageJson(result),
    // int32: a page kept longer than 24 days is not kept that long by a caller
    maxAgeMs: Math.min(result.reusableForMs ?? 0, 2_000_000_000),
    total: result.total,
    logged: result.logged,
  };
}

/** At most this many repeats in one RepeatedSearch, and searches in one RecordSearches. */
const MAX_REPEATS = 100_000;
const MAX_RECORDED_SEARCHES = 10_000;

/** `RecordSearches`: a caller's repeats of searches it answered from its copy of the page. */
export function recordSearches(
  uc: SearchProductsUseCase,
  req: searchV1.RecordSearchesRequest,
): searchV1.RecordSearchesResponse {
  const searches = req.searches ?? [];
  if (searches.length > MAX_RECORDED_SEARCHES)
    throw new SearchError(
      'INVALID_ARGUMENT',
      'TOO_MANY_SEARCHES',
      `at most ${MAX_RECORDED_SEARCHES} searches in one call, not ${searches.length}`,
    );
  const repeats = searches.map((r, i) => {
    const at = new Date(r.lastAt);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(r.lastAt) || Number.isNaN(at.getTime()))
      throw new SearchError(
        'INVALID_ARGUMENT',
        'LAST_AT_INVALID',
        `searches[${i}].last_at must be an RFC 3339 time`,
      );
    if (!Number.isInteger(r.count) || r.count < 1 || r.count > MAX_REPEATS)
      throw new SearchError(
        'INVALID_ARGUMENT',
        'COUNT_INVALID',
        `searches[${i}].count must be 1 to ${MAX_REPEATS}`,
      );
    if (!Number.isSafeInteger(Number(r.total)) || Number(r.total) < 0)
      throw new SearchError(
        'INVALID_ARGUMENT',
        'TOTAL_INVALID',
        `searches[${i}].total is negative`,
      );
    return {
      input: searchInputOf(r.search ?? EMPTY_SEARCH),
      firstPage: !r.search?.pageToken,
      total: Number(r.total),
      count: r.count,
      at,
    };
  });
  // all checked before any is logged (the use case checks the searches): a refused call logs
  // nothing; a later page is not logged (as SearchProductsUseCase.execute)
  const recorded = uc.recordRepeats(repeats.filter((r) => r.firstPage));
  return { recorded };
}

/**
 * `SearchProductsPage` as a raw gRPC handler (libs/platform `rawUnary`): the hot path's one RPC
 * answered past Nest's pipeline (router proxy, observables, processing hooks, exception filter),
 * with the same trace context, error mapping and answer as the controller's method.
 */
export const searchProductsPageMethod = (uc: SearchProductsUseCase) =>
  rawUnary<searchV1.SearchProductsPageRequest, searchV1.SearchProductsPageResponse>(
    'SearchService',
    'SearchProductsPage',
    (req, ctx) => searchProductsPage(uc, ctx, req),
  );

@Controller()
@searchV1.SearchServiceControllerMethods()
export class SearchGrpcController implements searchV1.SearchServiceController {
  constructor(
    private readonly searchProductsUc: SearchProductsUseCase,
    private readonly suggestUc: SuggestUseCase,
    private readonly topQueriesUc: TopQueriesUseCase,
    private readonly synonyms: SynonymSetsUseCase,
    private readonly reindex: ReindexUseCase,
  ) {}

  searchProducts(
    req: searchV1.SearchProductsRequest,
    md?: Metadata,
  ): Promise<searchV1.SearchProductsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const result = await this.search(ctx, req);
      return {
        hits: hitsToProto(result),
        total: result.total,
        nextPageToken: result.after ? encodeCursor({ s: result.after }) : '',
        facets: result.facets ? facetsToProto(result.facets, result.categoryLabels) : undefined,
      };
    });
  }

  /**
   * The same search as the gateway's JSON page (one string field: no per-hit messages). The
   * service answers this RPC with a raw handler (search.app.ts, `searchProductsPageMethod`),
   * past Nest's pipeline; this method serves it only where the controller runs alone.
   */
  searchProductsPage(
    req: searchV1.SearchProductsPageRequest,
    md?: Metadata,
  ): Promise<searchV1.SearchProductsPageResponse> {
    return withGrpcContext(md, (ctx) => searchProductsPage(this.searchProductsUc, ctx, req));
  }

  recordSearches(
    req: searchV1.RecordSearchesRequest,
    md?: Metadata,
  ): Promise<searchV1.RecordSearchesResponse> {
    return withGrpcContext(md, async () => recordSearches(this.searchProductsUc, req));
  }

  private search(ctx: RequestContext, req: searchV1.SearchProductsRequest) {
    return searchWith(this.searchProductsUc, ctx, req);
  }

  suggest(req: searchV1.SuggestRequest, md?: Metadata): Promise<searchV1.SuggestResponse> {
    return withGrpcContext(md, async () => ({
      suggestions: (await this.suggestUc.execute(req.prefix, req.limit)).map((s) => ({
        text: s.text,
        kind: SUGGESTION_KIND[s.kind],
      })),
    }));
  }

  putSynonymSet(
    req: searchV1.PutSynonymSetRequest,
    md?: Metadata,
  ): Promise<searchV1.PutSynonymSetResponse> {
    return withGrpcContext(md, async () => ({
      set: synonymToProto(await this.synonyms.put(req.set?.id ?? '', req.set?.terms ?? [])),
    }));
  }

  deleteSynonymSet(
    req: searchV1.DeleteSynonymSetRequest,
    md?: Metadata,
  ): Promise<searchV1.DeleteSynonymSetResponse> {
    return withGrpcContext(md, async () => {
      await this.synonyms.delete(req.id);
      return {};
    });
  }

  listSynonymSets(
    _req: searchV1.ListSynonymSetsRequest,
    md?: Metadata,
  ): Promise<searchV1.ListSynonymSetsResponse> {
    return withGrpcContext(md, async () => ({
      sets: (await this.synonyms.list()).map(synonymToProto),
    }));
  }

  listTopQueries(
    req: searchV1.ListTopQueriesRequest,
    md?: Metadata,
  ): Promise<searchV1.ListTopQueriesResponse> {
    return withGrpcContext(md, async () => {
      const res = await this.topQueriesUc.execute({
        since: req.since,
        until: req.until,
        zeroResultsOnly: req.zeroResultsOnly,
        limit: req.limit,
      });
      return { queries: res.queries, totalSearches: res.totalSearches };
    });
  }

  startReindex(
    _req: searchV1.StartReindexRequest,
    md?: Metadata,
  ): Promise<searchV1.StartReindexResponse> {
    return withGrpcContext(md, async () => ({
      reindex: reindexToProto(await this.reindex.start()),
    }));
  }

  getReindex(req: searchV1.GetReindexRequest, md?: Metadata): Promise<searchV1.GetReindexResponse> {
    return withGrpcContext(md, async () => ({
      reindex: reindexToProto(await this.reindex.get(req.id)),
    }));
  }
}
