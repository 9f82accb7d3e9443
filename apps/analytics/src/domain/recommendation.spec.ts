import { AnalyticsError } from './analytics-error';
import {
  cosineScore,
  distinctProducts,
  orderedPairs,
  rankRecommendations,
  recommendationQuery,
  viewSessionKey,
} from './recommendation';

const P = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('recommendationQuery', () => {
  it('lower-cases the product id and defaults the limit to 10', () => {
    expect(
      recommendationQuery({ productId: P.toUpperCase(), kind: 'viewed_together', limit: 0 }),
    ).toEqual({ productId: P, kind: 'viewed_together', limit: 10 });
    expect(recommendationQuery({ productId: P, kind: 'bought_together', limit: 50 }).limit).toBe(
      50,
    );
  });

  it.each([
    [{ productId: 'nope', kind: 'bought_together', limit: 5 }, 'product_id', 'PRODUCT_ID_INVALID'],
    [{ productId: P, kind: 'similar', limit: 5 }, 'kind', 'RECOMMENDATION_KIND_INVALID'],
    [{ productId: P, kind: 'bought_together', limit: 51 }, 'limit', 'LIMIT_INVALID'],
    [{ productId: P, kind: 'bought_together', limit: -1 }, 'limit', 'LIMIT_INVALID'],
  ])('refuses %j', (req, field, code) => {
    let error: unknown;
    try {
      recommendationQuery(req);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AnalyticsError);
    expect(error).toMatchObject({ kind: 'INVALID_ARGUMENT', code, details: { field } });
  });
});

describe('ranking', () => {
  it('scores by the cosine together / sqrt(n(P) n(Q))', () => {
    expect(cosineScore(2, 4, 4)).toBe(0.5);
    expect(cosineScore(3, 4, 9)).toBe(0.5);
    expect(cosineScore(1, 0, 3)).toBe(0);
  });

  it('sorts by score, then together, then product id, and keeps the limit', () => {
    const ranked = rankRecommendations(
      4,
      [
        { productId: id(5), together: 1, occurrences: 1 }, // 1/2 = 0.5
        { productId: id(4), together: 2, occurrences: 4 }, // 2/4 = 0.5, more together
        { productId: id(3), together: 1, occurrences: 1 }, // 0.5, ties id(5) → by id
        { productId: id(2), together: 4, occurrences: 16 }, // 4/8 = 0.5, most together
        { productId: id(1), together: 4, occurrences: 4 }, // 1
        { productId: id(6), together: 0, occurrences: 3 }, // never together: left out
      ],
      4,
    );
    expect(ranked.map((r) => [r.productId, r.together, r.score])).toEqual([
      [id(1), 4, 1],
      [id(2), 4, 0.5],
      [id(4), 2, 0.5],
      [id(3), 1, 0.5],
    ]);
  });
});

describe('pairs and sessions', () => {
  it('takes an order’s distinct products, lower-cased, skipping lines without one', () => {
    expect(
      distinctProducts([
        { productId: id(2) },
        { productId: id(1).toUpperCase() },
        { productId: id(2) },
        { productId: '' },
      ]),
    ).toEqual([id(1), id(2)]);
  });

  it('makes both directions of every pair', () => {
    expect(orderedPairs(['a', 'b', 'c'])).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'a'],
      ['b', 'c'],
      ['c', 'a'],
      ['c', 'b'],
    ]);
    expect(orderedPairs(['a'])).toEqual([]);
  });

  it('keys a view by its session, or by the visitor’s day without one', () => {
    expect(viewSessionKey({ sessionId: 's1', anonymousId: 'v', day: '2026-12-01' })).toBe('s:s1');
    expect(viewSessionKey({ sessionId: '', anonymousId: 'v', day: '2026-12-01' })).toBe(
      'v:v:2026-12-01',
    );
  });
});
