import { ratingSummaryProblem, replaces, type ProductRatingSummary } from './product-rating';

const summary = (over: Partial<ProductRatingSummary> = {}): ProductRatingSummary => ({
  productId: 'p-1',
  reviewCount: 3,
  ratingSum: 12,
  average: 4,
  distribution: [0, 0, 1, 1, 1],
  withPhotoCount: 1,
  version: 2,
  changedAt: new Date('2026-11-25T10:00:00Z'),
  ...over,
});

describe('product rating summary', () => {
  it('accepts a consistent summary and an empty one', () => {
    expect(ratingSummaryProblem(summary())).toBeNull();
    expect(
      ratingSummaryProblem(
        summary({
          reviewCount: 0,
          ratingSum: 0,
          average: 0,
          distribution: [0, 0, 0, 0, 0],
          withPhotoCount: 0,
        }),
      ),
    ).toBeNull();
  });

  it.each<[Partial<ProductRatingSummary>, string]>([
    [{ version: 0 }, 'version'],
    [{ distribution: [0, 0, 1, 1] as never }, 'five counts'],
    [{ reviewCount: 4 }, 'review_count says 4'],
    [{ ratingSum: 13 }, 'rating_sum says 13'],
    [{ withPhotoCount: 4 }, 'photos'],
    [{ average: 5.5 }, 'average'],
    [{ productId: '' }, 'product id'],
    [{ changedAt: new Date('nope') }, 'changed_at'],
  ])('refuses an inconsistent summary (%#: %s)', (over, message) => {
    expect(ratingSummaryProblem(summary(over))).toContain(message);
  });

  it('only a higher version replaces what is held', () => {
    expect(replaces(undefined, summary())).toBe(true);
    expect(replaces(summary({ version: 2 }), summary({ version: 3 }))).toBe(true);
    expect(replaces(summary({ version: 3 }), summary({ version: 3 }))).toBe(false);
    expect(replaces(summary({ version: 3 }), summary({ version: 2 }))).toBe(false);
  });
});
