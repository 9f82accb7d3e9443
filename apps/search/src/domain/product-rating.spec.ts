import { toProductDocument } from './product-document';
import { docRating, ratingSummaryProblem, UNRATED, type RatingSummary } from './product-rating';
import { toCriteria } from './search-criteria';
import { aSnapshot } from '../testing';

const summary = (over: Partial<RatingSummary> = {}): RatingSummary => ({
  productId: 'p-1',
  reviewCount: 4,
  ratingSum: 17,
  average: 4.25,
  distribution: [0, 0, 1, 1, 2],
  withPhotoCount: 1,
  version: 3,
  changedAt: '2026-11-25T10:00:00Z',
  ...over,
});

describe('ratings in search (issue 17)', () => {
  it('a summary gives the document its average, count and version; none or no review is unrated', () => {
    expect(docRating(summary())).toEqual({
      rating_average: 4.25,
      review_count: 4,
      rating_version: 3,
    });
    expect(docRating(undefined)).toEqual(UNRATED);
    const empty = summary({
      reviewCount: 0,
      ratingSum: 0,
      average: 0,
      distribution: [0, 0, 0, 0, 0],
    });
    expect(ratingSummaryProblem(empty)).toBeNull();
    expect(docRating(empty)).toEqual({ rating_average: 0, review_count: 0, rating_version: 3 });
  });

  it('a document built from a snapshot carries the rating held for the product', () => {
    const d = toProductDocument(aSnapshot(), 'e1', new Map(), new Date(), summary());
    expect(d).toMatchObject({ rating_average: 4.25, review_count: 4, rating_version: 3 });
    expect(toProductDocument(aSnapshot(), 'e1', new Map(), new Date())).toMatchObject(UNRATED);
  });

  it.each<[Partial<RatingSummary>, string]>([
    [{ version: 0 }, 'version'],
    [{ distribution: [0, 0, 1, 1] }, 'five counts'],
    [{ reviewCount: 5 }, 'review_count'],
    [{ ratingSum: 18 }, 'rating_sum'],
    [{ average: 7 }, 'average'],
    [{ productId: '' }, 'product id'],
  ])('refuses an impossible summary (%#: %s)', (over, message) => {
    expect(ratingSummaryProblem(summary(over))).toContain(message);
  });

  it('a minimum rating is 1 to 5 (MIN_RATING_INVALID otherwise)', () => {
    const input = (minRating?: number) => ({
      query: '',
      categoryId: '',
      currency: '',
      pageSize: 0,
      minRating,
    });
    expect(toCriteria(input(1)).minRating).toBe(1);
    expect(toCriteria(input(4.5)).minRating).toBe(4.5);
    expect(toCriteria(input(5)).minRating).toBe(5);
    expect(toCriteria(input()).minRating).toBeUndefined();
    for (const bad of [0, 0.99, 5.01, Number.NaN, -1])
      expect(() => toCriteria(input(bad))).toThrow(
        expect.objectContaining({ code: 'MIN_RATING_INVALID', kind: 'INVALID_ARGUMENT' }),
      );
  });
});
