import type { searchV1 } from '@emporia/contracts';
import { SearchProductsUseCase } from '../application/search-products.use-case';
import { SynonymSetsUseCase } from '../application/synonym-sets.use-case';
import {
  InMemoryCategoryNames,
  InMemoryFlashSales,
  InMemoryProductIndex,
  InMemorySearchLog,
  InMemorySynonymStore,
} from '../testing';
import { recordSearches } from './search.grpc-controller';

describe('RecordSearches: a caller’s repeats into the search log', () => {
  const setup = () => {
    const log = new InMemorySearchLog();
    const uc = new SearchProductsUseCase(
      new InMemoryProductIndex(),
      new InMemoryFlashSales(),
      new InMemoryCategoryNames(),
      log,
      new SynonymSetsUseCase(new InMemorySynonymStore(), 0),
    );
    return { log, uc };
  };
  const search = (over: Partial<searchV1.SearchProductsRequest> = {}) =>
    ({ query: '手机', pageSize: 20, ...over }) as searchV1.SearchProductsRequest;
  const repeat = (over: Partial<searchV1.RepeatedSearch> = {}): searchV1.RepeatedSearch => ({
    search: search(),
    total: 12,
    count: 3,
    lastAt: '2026-12-06T01:00:00.000Z',
    ...over,
  });

  it('logs each logged search that many times; a later page or browsing is skipped', () => {
    const { log, uc } = setup();
    const answer = recordSearches(uc, {
      searches: [
        repeat(),
        repeat({ search: search({ pageToken: 'next' }), count: 5 }),
        repeat({ search: search({ query: '' }), count: 7 }),
      ],
    });
    expect(answer).toEqual({ recorded: 3 });
    expect(log.entries).toHaveLength(3);
    expect(log.entries[0]).toMatchObject({
      query: '手机',
      results: 12,
      at: '2026-12-06T01:00:00.000Z',
    });
  });

  it.each([
    ['LAST_AT_INVALID', { lastAt: 'yesterday' }],
    ['COUNT_INVALID', { count: 0 }],
    ['COUNT_INVALID', { count: 100_001 }],
    ['TOTAL_INVALID', { total: -1 }],
    ['SEARCH_PAGE_SIZE_INVALID', { search: search({ pageSize: -1 }) }],
  ])('refuses the whole call with INVALID_ARGUMENT %s, and logs nothing', (code, bad) => {
    const { log, uc } = setup();
    expect(() => recordSearches(uc, { searches: [repeat(), repeat(bad)] })).toThrow(
      expect.objectContaining({ kind: 'INVALID_ARGUMENT', code }),
    );
    expect(log.entries).toEqual([]);
  });

  it('refuses more than 10,000 searches in one call', () => {
    const { uc } = setup();
    expect(() =>
      recordSearches(uc, { searches: Array.from({ length: 10_001 }, () => repeat()) }),
    ).toThrow(expect.objectContaining({ code: 'TOO_MANY_SEARCHES' }));
  });
});
