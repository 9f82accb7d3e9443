import { SearchError } from './search-error';

export interface SearchInput {
  query: string;
  categoryId: string;
  minPriceMinor?: number;
  maxPriceMinor?: number;
  currency: string;
  pageSize: number;
}

export interface SearchCriteria {
  text: string;
  categoryId?: string;
  price?: { currency: string; min?: number; max?: number };
  size: number;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
const bad = (code: string, message: string) => new SearchError('INVALID_ARGUMENT', code, message);

/** Validates a search request: clear errors for bad bounds, never a crash in the engine. */
export function toCriteria(input: SearchInput): SearchCriteria {
  const text = (input.query ?? '').trim();
  if (text.length > 200) throw bad('SEARCH_QUERY_TOO_LONG', 'query must be at most 200 characters');
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
  if (input.pageSize < 0) throw bad('SEARCH_PAGE_SIZE_INVALID', 'page size must not be negative');
  const size = input.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(input.pageSize, MAX_PAGE_SIZE);
  return {
    text,
    size,
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
