import { encodeCursor } from '@emporia/platform';
import type { SearchFacets } from '../application/ports';
import type { SearchResult } from '../application/search-products.use-case';

/**
 * A search result as the gateway's public page of `GET /v1/search/products` (its `SearchPage`
 * DTO), in JSON: what `SearchProductsPage` answers, so the hot path maps each hit once (the
 * Elasticsearch source → the page) instead of hit → message → protobuf → message → view. The
 * values are exactly those SearchProductsResponse carries and the gateway's mappers
 * (search-mappers.ts) make of it; the e2e suite compares both routes' answers.
 */
export function searchPageJson(result: SearchResult): string {
  const items = result.hits.map(({ document: d, score, flashSale }) => ({
    productId: d.product_id,
    title: d.title,
    brand: d.brand,
    categoryId: d.category_id,
    categoryNames: d.category_names ?? [],
    minPrice: { amountMinor: d.min_price, currency: d.currency },
    maxPrice: { amountMinor: d.max_price, currency: d.currency },
    inStock: d.in_stock,
    unitsSold: d.units_sold ?? 0,
    score,
    flashSale: flashSale
      ? {
          saleId: flashSale.saleId,
          skuId: flashSale.skuId,
          price: { amountMinor: flashSale.priceMinor, currency: flashSale.currency },
          startsAt: flashSale.startsAt,
          endsAt: flashSale.endsAt,
          active: flashSale.active,
        }
      : null,
    ratingAverage: d.rating_average ?? 0,
    reviewCount: d.review_count ?? 0,
    // an index built before mapping v4 has no tags until it is rebuilt
    tags: d.tags ?? [],
  }));
  return JSON.stringify({
    items,
    total: result.total,
    nextCursor: result.after ? encodeCursor({ s: result.after }) : null,
    ...(result.facets ? { facets: facetsPage(result.facets, result.categoryLabels) } : {}),
  });
}

const facetsPage = (f: SearchFacets, labels: Map<string, string>) => ({
  categories: f.categories.map((c) => ({
    value: c.value,
    label: labels.get(c.value) ?? '',
    count: c.count,
  })),
  brands: f.brands.map((b) => ({ value: b.value, count: b.count })),
  tags: f.tags.map((t) => ({ value: t.value, count: t.count })),
  priceRanges: f.priceRanges.map((r) => ({
    from: r.from ?? null,
    to: r.to ?? null,
    count: r.count,
  })),
  attributes: f.attributes.map((a) => ({
    name: a.name,
    values: a.values.map((v) => ({ value: v.value, count: v.count })),
  })),
});
