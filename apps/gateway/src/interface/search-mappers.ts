import { searchV1 } from '@emporia/contracts';
import type {
  FacetsView,
  ReindexView,
  SearchItemView,
  SearchQuery,
  SynonymSetView,
} from './dto/search.dto';

const SORT: Record<NonNullable<SearchQuery['sort']>, searchV1.SortOrder> = {
  relevance: searchV1.SortOrder.SORT_ORDER_RELEVANCE,
  price_asc: searchV1.SortOrder.SORT_ORDER_PRICE_ASC,
  price_desc: searchV1.SortOrder.SORT_ORDER_PRICE_DESC,
  sales: searchV1.SortOrder.SORT_ORDER_SALES,
  newest: searchV1.SortOrder.SORT_ORDER_NEWEST,
  rating: searchV1.SortOrder.SORT_ORDER_RATING,
};

/** `name:value` parameters grouped by name (the value may itself contain ':'). */
export function attributeFilters(attr: readonly string[] = []): searchV1.AttributeFilter[] {
  const byName = new Map<string, string[]>();
  for (const a of attr) {
    const at = a.indexOf(':');
    const name = a.slice(0, at);
    byName.set(name, [...(byName.get(name) ?? []), a.slice(at + 1)]);
  }
  return [...byName].map(([name, values]) => ({ name, values }));
}

export function searchRequest(q: SearchQuery): searchV1.SearchProductsRequest {
  return {
    query: q.q ?? '',
    categoryId: q.categoryId ?? '',
    tags: q.tag ?? [],
    currency: q.currency ?? '',
    pageSize: q.limit ?? 0,
    pageToken: q.cursor ?? '',
    ...(q.minPrice !== undefined ? { minPriceMinor: q.minPrice } : {}),
    ...(q.maxPrice !== undefined ? { maxPriceMinor: q.maxPrice } : {}),
    brands: q.brand ?? [],
    attributes: attributeFilters(q.attr),
    sort: SORT[q.sort ?? 'relevance'],
    inStockOnly: q.inStock === 'true',
    includeFacets: q.facets === 'true',
    priceFacetEdges: q.priceEdges ? q.priceEdges.split(',').map(Number) : [],
    ...(q.minRating !== undefined ? { minRating: q.minRating } : {}),
  };
}

const money = (m: { amountMinor: number; currency: string } | undefined) => ({
  amountMinor: m?.amountMinor ?? 0,
  currency: m?.currency ?? '',
});

export const searchItemView = (h: searchV1.ProductHit): SearchItemView => ({
  productId: h.productId,
  title: h.title,
  brand: h.brand,
  categoryId: h.categoryId,
  categoryNames: h.categoryNames,
  minPrice: money(h.minPrice),
  maxPrice: money(h.maxPrice),
  inStock: h.inStock,
  unitsSold: h.unitsSold,
  score: h.score,
  flashSale: h.flashSale
    ? {
        saleId: h.flashSale.saleId,
        skuId: h.flashSale.skuId,
        price: money(h.flashSale.price),
        startsAt: h.flashSale.startsAt,
        endsAt: h.flashSale.endsAt,
        active: h.flashSale.active,
      }
    : null,
  ratingAverage: h.ratingAverage,
  reviewCount: h.reviewCount,
  tags: h.tags,
});

export const facetsView = (f: searchV1.Facets): FacetsView => ({
  categories: f.categories.map((c) => ({ value: c.value, label: c.label, count: c.count })),
  brands: f.brands.map((b) => ({ value: b.value, count: b.count })),
  tags: f.tags.map((t) => ({ value: t.value, count: t.count })),
  priceRanges: f.priceRanges.map((r) => ({
    from: r.fromMinor ?? null,
    to: r.toMinor ?? null,
    count: r.count,
  })),
  attributes: f.attributes.map((a) => ({
    name: a.name,
    values: a.values.map((v) => ({ value: v.value, count: v.count })),
  })),
});

export const SUGGESTION_KIND: Record<string, string> = {
  [searchV1.SuggestionKind.SUGGESTION_KIND_QUERY]: 'query',
  [searchV1.SuggestionKind.SUGGESTION_KIND_BRAND]: 'brand',
  [searchV1.SuggestionKind.SUGGESTION_KIND_PRODUCT]: 'product',
};

export const synonymSetView = (s: searchV1.SynonymSet): SynonymSetView => ({
  id: s.id,
  terms: s.terms,
  updatedAt: s.updatedAt,
});

const STATE: Record<string, string> = {
  [searchV1.ReindexState.REINDEX_STATE_RUNNING]: 'running',
  [searchV1.ReindexState.REINDEX_STATE_SUCCEEDED]: 'succeeded',
  [searchV1.ReindexState.REINDEX_STATE_FAILED]: 'failed',
};

export const reindexView = (r: searchV1.Reindex): ReindexView => ({
  id: r.id,
  state: STATE[r.state] ?? 'unknown',
  targetIndex: r.targetIndex,
  previousIndex: r.previousIndex,
  productsIndexed: r.productsIndexed,
  caughtUp: r.caughtUp,
  batches: r.batches,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt || null,
  error: r.error || null,
});
