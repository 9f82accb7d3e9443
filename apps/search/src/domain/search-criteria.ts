import { SearchError } from './search-error';

export type SortOrder = 'RELEVANCE' | 'PRICE_ASC' | 'PRICE_DESC' | 'SALES' | 'NEWEST' | 'RATING';

export interface SearchInput {
  query: string;
  categoryId: string;
  minPriceMinor?: number;
  maxPriceMinor?: number;
  currency: string;
  pageSize: number;
  brands?: string[];
  /** Products carrying any of these tags. */
  tags?: string[];
  attributes?: { name: string; values: string[] }[];
  sort?: SortOrder;
  inStockOnly?: boolean;
  includeFacets?: boolean;
  priceFacetEdges?: number[];
  /** Only products whose average rating is at least this (1..5); unrated ones are left out. */
  minRating?: number;
}

export interface SearchCriteria {
  text: string;
  /** The text and its synonym variants (the text first); a product matching any is found. */
  textVariants: string[];
  categoryId?: string;
  price?: { currency: string; min?: number; max?: number };
  brands: string[];
  /** Any of these tags (a facet selection, like brands). */
  tags: string[];
  attributes: { name: string; values: string[] }[];
  sort: SortOrder;
  inStockOnly: boolean;
  /** Average rating at least this (1..5). */
  minRating?: number;
  /** Upper edges of the price facet's buckets, when facets were asked for. */
  facets?: { priceEdges: number[] };
  size: number;
}

export const MAX_QUERY_LENGTH = 200;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const DEFAULT_PRICE_EDGES = [5000, 10000, 20000, 50000, 100000];
const MAX_BRANDS = 50;
const MAX_TAGS = 20;
const MAX_ATTRIBUTE_FILTERS = 10;
const MAX_ATTRIBUTE_VALUES = 50;
const MAX_PRICE_EDGES = 20;

const bad = (code: string, message: string) => new SearchError('INVALID_ARGUMENT', code, message);

/** Trimmed, lower-case, white space collapsed: how queries are compared and logged. */
export function normalizeQuery(q: string): string {
  return q.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

function distinctTrimmed(values: readonly string[], what: string, max: number): string[] {
  const out = [...new Set(values.map((v) => v.trim()))];
  if (out.some((v) => !v || v.length > 100))
    throw bad('SEARCH_FILTER_INVALID', `each ${what} must be 1 to 100 characters`);
  if (out.length > max) throw bad('SEARCH_FILTER_INVALID', `at most ${max} ${what}s`);
  return out;
}

function priceEdges(edges: readonly number[] | undefined): number[] {
  if (!edges || edges.length === 0) return DEFAULT_PRICE_EDGES;
  if (edges.length > MAX_PRICE_EDGES)
    throw bad('SEARCH_FACET_INVALID', `at most ${MAX_PRICE_EDGES} price facet edges`);
  edges.forEach((e, i) => {
    if (!Number.isInteger(e) || e <= 0 || (i > 0 && e <= edges[i - 1]))
      throw bad(
        'SEARCH_FACET_INVALID',
        'price facet edges must be positive integers of minor units in ascending order',
      );
  });
  return [...edges];
}

/** Validates a search request: clear errors for bad bounds, never a crash in the engine. */
export function toCriteria(input: SearchInput, variants: readonly string[] = []): SearchCriteria {
  const text = (input.query ?? '').trim();
  if (text.length > MAX_QUERY_LENGTH)
    throw bad('SEARCH_QUERY_TOO_LONG', `query must be at most ${MAX_QUERY_LENGTH} characters`);
  const { minPriceMinor: min, maxPriceMinor: max } = input;
  for (const [name, v] of [
    ['min price', min],
    ['max price', max],
  ] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0))
      throw bad('SEARCH_PRICE_INVALID', `${name} must be a non-negative integer of minor units`);
  }
  if (min !== undefined && max !== undefined && min > max)
    throw bad('SEARCH_PRICE_RANGE_INVALID', `min price ${min} is above max price ${max}`);
  const hasBound = min !== undefined || max !== undefined;
  const currency = (input.currency ?? '').trim();
  if (hasBound && !currency)
    throw bad('SEARCH_CURRENCY_REQUIRED', 'a price bound needs a currency');
  if (currency && !/^[A-Z]{3}$/.test(currency))
    throw bad('SEARCH_CURRENCY_INVALID', `currency must be an ISO 4217 code, got '${currency}'`);
  const { minRating } = input;
  if (minRating !== undefined && !(minRating >= 1 && minRating <= 5))
    throw bad('MIN_RATING_INVALID', `min rating must be 1 to 5, got ${minRating}`);
  if (input.pageSize < 0) throw bad('SEARCH_PAGE_SIZE_INVALID', 'page size must not be negative');
  const size = input.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(input.pageSize, MAX_PAGE_SIZE);

  const brands = distinctTrimmed(input.brands ?? [], 'brand', MAX_BRANDS);
  const tags = distinctTrimmed(input.tags ?? [], 'tag', MAX_TAGS);
  const attrs = input.attributes ?? [];
  if (attrs.length > MAX_ATTRIBUTE_FILTERS)
    throw bad('SEARCH_FILTER_INVALID', `at most ${MAX_ATTRIBUTE_FILTERS} attribute filters`);
  const byName = new Map<string, string[]>();
  for (const a of attrs) {
    const name = (a.name ?? '').trim();
    if (!name || name.length > 100)
      throw bad('SEARCH_FILTER_INVALID', 'an attribute filter needs a name of 1 to 100 characters');
    const values = distinctTrimmed(a.values ?? [], 'attribute value', MAX_ATTRIBUTE_VALUES);
    if (values.length === 0)
      throw bad('SEARCH_FILTER_INVALID', `attribute filter '${name}' needs at least one value`);
    byName.set(name, [...new Set([...(byName.get(name) ?? []), ...values])]);
  }

  return {
    text,
    textVariants: text ? [text, ...variants.filter((v) => v && v !== text)] : [],
    size,
    brands,
    tags,
    attributes: [...byName].map(([name, values]) => ({ name, values })),
    sort: input.sort ?? 'RELEVANCE',
    inStockOnly: input.inStockOnly ?? false,
    ...(minRating !== undefined ? { minRating } : {}),
    ...(input.includeFacets ? { facets: { priceEdges: priceEdges(input.priceFacetEdges) } } : {}),
    ...(input.categoryId ? { categoryId: input.categoryId } : {}),
    ...(currency
      ? {
          price: {
            currency,
            ...(min !== undefined ? { min } : {}),
            ...(max !== undefined ? { max } : {}),
          },
        }
      : {}),
  };
}
