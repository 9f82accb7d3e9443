import type { SearchCriteria } from '../domain/search-criteria';

/** Only listed products are searchable. */
const LISTED = 'ACTIVE';

/**
 * The Elasticsearch request body for a search: relevance over title (boosted), brand and
 * description; filters on status, category subtree and price; stable order for search_after.
 */
export function buildSearchBody(c: SearchCriteria, after?: unknown[]) {
  const filter: object[] = [{ term: { status: LISTED } }];
  if (c.categoryId) filter.push({ term: { category_path_ids: c.categoryId } });
  if (c.price) {
    filter.push({ term: { currency: c.price.currency } });
    if (c.price.min !== undefined || c.price.max !== undefined) {
      filter.push({
        range: {
          prices: {
            ...(c.price.min !== undefined ? { gte: c.price.min } : {}),
            ...(c.price.max !== undefined ? { lte: c.price.max } : {}),
          },
        },
      });
    }
  }
  const must = c.text
    ? [
        {
          multi_match: {
            query: c.text,
            fields: ['title^3', 'brand.text^2', 'description'],
            operator: 'and',
          },
        },
      ]
    : [{ match_all: {} }];
  return {
    size: c.size + 1,
    track_total_hits: true,
    query: { bool: { must, filter } },
    sort: [{ _score: { order: 'desc' } }, { product_id: { order: 'asc' } }],
    ...(after ? { search_after: after } : {}),
  };
}
