import type { searchV1 } from '@emporia/contracts';
import { SearchPageCache, type SearchAnswer } from './search-page.cache';

const request = (query: string, over: Partial<searchV1.SearchProductsRequest> = {}) =>
  ({ query, pageSize: 20, includeFacets: true, ...over }) as searchV1.SearchProductsRequest;

describe('SearchPageCache: search pages answered again within the service’s bound', () => {
  let now = 0;
  let wall = 0;
  let reports: searchV1.RepeatedSearch[][] = [];
  let failReports = false;
  const make = (maxMs = 1000, size = 10) =>
    new SearchPageCache({
      maxMs,
      size,
      now: () => now,
      wallClock: () => wall,
      report: async (searches) => {
        if (failReports) throw new Error('search unavailable');
        reports.push(searches);
      },
    });
  const answers = (...xs: Partial<SearchAnswer>[]) =>
    jest.fn(async () => {
      const x = xs.shift() ?? {};
      return { pageJson: 'last', maxAgeMs: 1000, total: 7, logged: true, ...x };
    });

  beforeEach(() => {
    now = 10_000;
    wall = Date.parse('2026-12-06T01:00:00.000Z');
    reports = [];
    failReports = false;
  });

  it('answers a page again for what the service said is left of it, at most maxMs', async () => {
    const cache = make(800);
    const ask = answers(
      { pageJson: 'p1', maxAgeMs: 500 },
      { pageJson: 'p2', maxAgeMs: 5000 },
      { pageJson: 'p3', maxAgeMs: 0 },
      { pageJson: 'p4' },
    );
    const q = request('手机');
    expect(await cache.get(q, ask)).toBe('p1');
    now += 499;
    expect(await cache.get(q, ask)).toBe('p1');
    now += 1;
    expect(await cache.get(q, ask)).toBe('p2');
    // the service allowed 5 s: this replica keeps it its own maximum
    now += 799;
    expect(await cache.get(q, ask)).toBe('p2');
    now += 1;
    expect(await cache.get(q, ask)).toBe('p3');
    // max_age_ms 0: not answered again
    expect(await cache.get(q, ask)).toBe('p4');
    expect(ask).toHaveBeenCalledTimes(4);
  });

  it('shares a page only between identical requests, and never keeps a failure', async () => {
    const cache = make();
    const ask = answers({ pageJson: 'a' }, { pageJson: 'b' }, { pageJson: 'c' });
    await cache.get(request('手机'), ask);
    expect(await cache.get(request('手机', { pageToken: 'next' }), ask)).toBe('b');
    expect(await cache.get(request('手机', { inStockOnly: true }), ask)).toBe('c');
    expect(await cache.get(request('手机'), ask)).toBe('a');
    const failing = jest.fn(async (): Promise<SearchAnswer> => {
      throw new Error('DEADLINE_EXCEEDED');
    });
    await expect(cache.get(request('耳机'), failing)).rejects.toThrow('DEADLINE_EXCEEDED');
    expect(await cache.get(request('耳机'), answers({ pageJson: 'ok' }))).toBe('ok');
  });

  it('sends concurrent misses of one search to the service once', async () => {
    const cache = make();
    let release!: (a: SearchAnswer) => void;
    const ask = jest.fn(() => new Promise<SearchAnswer>((r) => (release = r)));
    const all = Promise.all(Array.from({ length: 20 }, () => cache.get(request('手机'), ask)));
    release({ pageJson: 'one', maxAgeMs: 1000, total: 3, logged: true });
    expect(new Set(await all)).toEqual(new Set(['one']));
    expect(ask).toHaveBeenCalledTimes(1);
    // the 19 that joined are repeats the service never saw: reported for its log
    await cache.flush();
    expect(reports).toEqual([
      [{ search: request('手机'), total: 3, count: 19, lastAt: '2026-12-06T01:00:00.000Z' }],
    ]);
  });

  it('reports each logged search’s repeats once, with the last total and time; not those the service does not log', async () => {
    const cache = make();
    await cache.get(request('手机'), answers({ total: 5 }));
    await cache.get(request('', { categoryId: 'c1' }), answers({ logged: false }));
    for (let i = 0; i < 3; i++) {
      wall += 100;
      await cache.get(request('手机'), answers());
      await cache.get(request('', { categoryId: 'c1' }), answers());
    }
    await cache.flush();
    expect(reports).toEqual([
      [{ search: request('手机'), total: 5, count: 3, lastAt: '2026-12-06T01:00:00.300Z' }],
    ]);
    // nothing new: nothing sent
    await cache.flush();
    expect(reports).toHaveLength(1);
  });

  it('keeps the repeats of a failed report for the next one, merged with the new ones', async () => {
    const cache = make();
    await cache.get(request('手机'), answers());
    await cache.get(request('手机'), answers());
    failReports = true;
    await expect(cache.flush()).rejects.toThrow('search unavailable');
    expect(cache.waiting).toBe(1);
    wall += 500;
    await cache.get(request('手机'), answers());
    failReports = false;
    await cache.flush();
    expect(reports).toEqual([
      [{ search: request('手机'), total: 7, count: 2, lastAt: '2026-12-06T01:00:00.500Z' }],
    ]);
    expect(cache.waiting).toBe(0);
  });

  it('keeps at most `size` pages (the oldest dropped), and nothing with maxMs 0', async () => {
    const cache = make(1000, 2);
    const ask = answers(
      { pageJson: 'a1' },
      { pageJson: 'b' },
      { pageJson: 'c' },
      { pageJson: 'a2' },
    );
    await cache.get(request('a'), ask);
    await cache.get(request('b'), ask);
    await cache.get(request('c'), ask);
    expect(cache.cached).toBe(2);
    expect(await cache.get(request('a'), ask)).toBe('a2');
    const off = make(0);
    const ask2 = answers({ pageJson: 'x1' }, { pageJson: 'x2' });
    await off.get(request('x'), ask2);
    expect(await off.get(request('x'), ask2)).toBe('x2');
    await off.flush();
    expect(reports).toEqual([]);
  });
});
