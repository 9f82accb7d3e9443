import type { HitDocument, SearchOptions } from '../application/ports';
import type { SearchCriteria, SortOrder } from '../domain/search-criteria';

/** Only listed products are searchable. */
const LISTED = 'ACTIVE';
/** Facet sizes: enough for a filter panel, bounded for the engine. */
const CATEGORY_FACET_SIZE = 50;
const BRAND_FACET_SIZE = 50;
const TAG_FACET_SIZE = 50;
const ATTRIBUTE_NAMES_SIZE = 20;
const ATTRIBUTE_VALUES_SIZE = 50;
/** Out-of-stock products stay findable but rank below in-stock ones of similar relevance. */
const OUT_OF_STOCK_WEIGHT = 0.5;

const SORTS: Record<SortOrder, object[]> = {
  RELEVANCE: [{ _score: { order: 'desc' } }, { product_id: { order: 'asc' } }],
  PRICE_ASC: [{ min_price: { order: 'asc' } }, { product_id: { order: 'asc' } }],
  PRICE_DESC: [{ min_price: { order: 'desc' } }, { product_id: { order: 'asc' } }],
  SALES: [{ units_sold: { order: 'desc', missing: '_last' } }, { product_id: { order: 'asc' } }],
  NEWEST: [{ created_at: { order: 'desc' } }, { product_id: { order: 'asc' } }],
  // unrated products have 0 and 0, below any rated one (an average is at least 1)
  RATING: [
    { rating_average: { order: 'desc', missing: 0 } },
    { review_count: { order: 'desc', missing: 0 } },
    { product_id: { order: 'asc' } },
  ],
};

/**
 * Relevance for one phrasing: every word must occur somewhere in the product's text (title,
 * brand, category path, attribute values, description; CJK as single characters so "华为手机"
 * finds "华为 Mate 60 手机"); the score comes from the fields that match best, title first
 * (CJK bigrams, so adjacent characters score higher), then brand and category path.
 */
function phrasing(text: string, weight: number) {
  return {
    bool: {
      must: [{ match: { all_text: { query: text, operator: 'and', boost: 0.2 * weight } } }],
      should: [
        { match: { title: { query: text, boost: 4 * weight } } },
        { match_phrase: { title: { query: text, slop: 1, boost: 3 * weight } } },
        { match: { 'brand.text': { query: text, boost: 3 * weight } } },
        { match: { category_names: { query: text, boost: 2 * weight } } },
        { match: { description: { query: text, boost: 0.5 * weight } } },
      ],
    },
  };
}

/** Filters a shopper picks from facets: applied after aggregation so facets stay disjunctive. */
function facetFilters(c: SearchCriteria) {
  const brand = c.brands.length ? { terms: { brand: c.brands } } : undefined;
  const tag = c.tags.length ? { terms: { tags: c.tags } } : undefined;
  const price =
    c.price && (c.price.min !== undefined || c.price.max !== undefined)
      ? {
          range: {
            prices: {
              ...(c.price.min !== undefined ? { gte: c.price.min } : {}),
              ...(c.price.max !== undefined ? { lte: c.price.max } : {}),
            },
          },
        }
      : undefined;
  const attributes = new Map(
    c.attributes.map((a) => [
      a.name,
      {
        nested: {
          path: 'attributes',
          query: {
            bool: {
              filter: [
                { term: { 'attributes.name': a.name } },
                { terms: { 'attributes.value': a.values } },
              ],
            },
          },
        },
      },
    ]),
  );
  /** Every facet filter but the excluded ones. */
  const all = (
    except: { brand?: boolean; tag?: boolean; price?: boolean; attribute?: string } = {},
  ) => [
    ...(brand && !except.brand ? [brand] : []),
    ...(tag && !except.tag ? [tag] : []),
    ...(price && !except.price ? [price] : []),
    ...[...attributes].filter(([name]) => name !== except.attribute).map(([, f]) => f),
  ];
  return { all };
}

const filtered = (filters: object[], aggs: object) => ({
  filter: filters.length ? { bool: { filter: filters } } : { match_all: {} },
  aggs,
});

function aggregations(c: SearchCriteria, f: ReturnType<typeof facetFilters>, edges: number[]) {
  const attributeValues = {
    nested: { path: 'attributes' },
    aggs: {
      names: {
        terms: { field: 'attributes.name', size: ATTRIBUTE_NAMES_SIZE },
        aggs: { values: { terms: { field: 'attributes.value', size: ATTRIBUTE_VALUES_SIZE } } },
      },
    },
  };
  const aggs: Record<string, object> = {
    categories: filtered(f.all(), {
      values: { terms: { field: 'category_path_ids', size: CATEGORY_FACET_SIZE } },
    }),
    brands: filtered(f.all({ brand: true }), {
      values: { terms: { field: 'brand', size: BRAND_FACET_SIZE } },
    }),
    tags: filtered(f.all({ tag: true }), {
      values: { terms: { field: 'tags', size: TAG_FACET_SIZE } },
    }),
    prices: filtered(f.all({ price: true }), {
      values: {
        range: {
          field: 'prices',
          ranges: [
            ...edges.map((to, i) => (i === 0 ? { to } : { from: edges[i - 1], to })),
            { from: edges[edges.length - 1] },
          ],
        },
      },
    }),
    attributes: filtered(f.all(), { values: attributeValues }),
  };
  // a selected attribute's own values are counted without its own selection
  c.attributes.forEach((a, i) => {
    aggs[`attribute_${i}`] = filtered(f.all({ attribute: a.name }), {
      values: {
        nested: { path: 'attributes' },
        aggs: {
          named: {
            filter: { term: { 'attributes.name': a.name } },
            aggs: { values: { terms: { field: 'attributes.value', size: ATTRIBUTE_VALUES_SIZE } } },
          },
        },
      },
    });
  });
  return aggs;
}

/**
 * The fields of a product a search page shows (gRPC ProductHit): the only ones Elasticsearch
 * fetches and sends back for each hit (description, attributes, SKUs, prices and the text
 * fields stay in the index).
 */
export const HIT_FIELDS = [
  'product_id',
  'title',
  'tags',
  'brand',
  'category_id',
  'min_price',
  'max_price',
  'currency',
  'in_stock',
  'version',
  'units_sold',
  'category_names',
  'rating_average',
  'review_count',
] as const satisfies readonly (keyof HitDocument)[];
// every field of HitDocument is fetched (a field added there and not here fails to compile)
const everyHitField: Exclude<keyof HitDocument, (typeof HIT_FIELDS)[number]> extends never
  ? true
  : never = true;
void everyHitField;

/**
 * The parts of a search response read (`filter_path`, a URL parameter): the total, each hit's
 * source, score and sort key, and the facet buckets (key, count, range bounds); Elasticsearch
 * leaves out the rest (took, shards, index and id of each hit, error bounds of the terms counts).
 */
export const SEARCH_FILTER_PATH = [
  'hits.total',
  'hits.hits._source',
  'hits.hits._score',
  'hits.hits.sort',
  'aggregations.**.key',
  'aggregations.**.doc_count',
  'aggregations.**.from',
  'aggregations.**.to',
  'aggregations._matched.p.count',
  'aggregations._matched.p.sum',
  'aggregations._matched.p.min',
  'aggregations._matched.p.max',
].join(',');

/**
 * The aggregation answering which products match a search (`SearchPage.matched`): how many
 * documents match the query (its filters, not the facet selections: the products the facets
 * count), and how many of them carry a facet print with the prints' sum, lowest and highest
 * (facet-print.ts; one pass over one column). A product entering or leaving the matches, or
 * changing a faceted field while in them, changes the figures; a write that leaves the facet
 * values as they were (stock, sales, rating, title) does not.
 */
const matchedAggs = {
  _matched: { filter: { match_all: {} }, aggs: { p: { stats: { field: 'facet_print' } } } },
};

/**
 * The Elasticsearch request body for a search: only the fields of HIT_FIELDS fetched; relevance over the text and its synonym
 * variants; listed products only, in the category subtree, currency, stock and minimum rating as
 * query filters;
 * brand, tag, price and attribute selections as a post filter with disjunctive facet counts; a
 * stable order (the last key is the product id) for search_after.
 */
export function buildSearchBody(c: SearchCriteria, after?: unknown[], opts?: SearchOptions) {
  const filter: object[] = [{ term: { status: LISTED } }];
  if (c.categoryId) filter.push({ term: { category_path_ids: c.categoryId } });
  if (c.price) filter.push({ term: { currency: c.price.currency } });
  if (c.inStockOnly) filter.push({ term: { in_stock: true } });
  if (c.minRating !== undefined) filter.push({ range: { rating_average: { gte: c.minRating } } });

  const text =
    c.textVariants.length > 0
      ? [
          {
            bool: {
              should: c.textVariants.map((v, i) => phrasing(v, i === 0 ? 1 : 0.8)),
              minimum_should_match: 1,
            },
          },
        ]
      : [{ match_all: {} }];
  const base = { bool: { must: text, filter } };
  const query =
    c.sort === 'RELEVANCE' && !c.inStockOnly
      ? {
          function_score: {
            query: base,
            functions: [{ filter: { term: { in_stock: false } }, weight: OUT_OF_STOCK_WEIGHT }],
            boost_mode: 'multiply',
          },
        }
      : base;

  const f = facetFilters(c);
  const post = f.all();
  return {
    // one more than asked tells whether there is a next page; none asked (the facet counts
    // alone, CachedProductIndex), none fetched
    size: c.size === 0 ? 0 : c.size + 1,
    _source: HIT_FIELDS,
    track_total_hits: true,
    query,
    ...(post.length ? { post_filter: { bool: { filter: post } } } : {}),
    ...(c.facets || opts?.matched
      ? {
          aggs: {
            ...(c.facets ? aggregations(c, f, c.facets.priceEdges) : {}),
            ...(opts?.matched ? matchedAggs : {}),
          },
        }
      : {}),
    sort: SORTS[c.sort],
    ...(after ? { search_after: after } : {}),
  };
}

/** Listed products whose title or brand words start with the typed words. */
export function buildSuggestBody(prefix: string, limit: number) {
  const words = (field: string) => ({ match: { [field]: { query: prefix, operator: 'and' } } });
  return {
    size: limit,
    _source: ['title'],
    query: {
      bool: {
        filter: [{ term: { status: LISTED } }],
        should: [words('title.suggest'), words('brand.suggest')],
        minimum_should_match: 1,
      },
    },
    collapse: { field: 'title.keyword' },
    sort: [{ _score: { order: 'desc' } }, { units_sold: { order: 'desc', missing: '_last' } }],
    aggs: {
      brands: {
        filter: words('brand.suggest'),
        aggs: { names: { terms: { field: 'brand', size: 3 } } },
      },
    },
  };
}
