/** A product's rating from its approved reviews (follow-ups carry no rating and are not counted). */
export interface RatingSummary {
  productId: string;
  reviewCount: number;
  ratingSum: number;
  /** Rounded to two decimals; 0 without reviews. */
  average: number;
  /** Counts of ratings 1..5, in that order. */
  distribution: [number, number, number, number, number];
  withPhotoCount: number;
}

/** What a summary is computed from: one entry per approved review (not follow-ups). */
export interface RatedReview {
  rating: number;
  photoCount: number;
}

export const emptySummary = (productId: string): RatingSummary => ({
  productId,
  reviewCount: 0,
  ratingSum: 0,
  average: 0,
  distribution: [0, 0, 0, 0, 0],
  withPhotoCount: 0,
});

/** rating_sum / review_count rounded half up to two decimals (0 without reviews). */
export function averageOf(sum: number, count: number): number {
  if (count === 0) return 0;
  // integer arithmetic: sum*100/count rounded half up, then back to two decimals
  return Math.floor((sum * 200 + count) / (2 * count)) / 100;
}

/** The summary of a product's approved reviews. */
export function summarise(productId: string, reviews: readonly RatedReview[]): RatingSummary {
  const s = emptySummary(productId);
  for (const r of reviews) {
    if (r.rating < 1 || r.rating > 5) continue;
    s.reviewCount++;
    s.ratingSum += r.rating;
    s.distribution[r.rating - 1]++;
    if (r.photoCount > 0) s.withPhotoCount++;
  }
  s.average = averageOf(s.ratingSum, s.reviewCount);
  return s;
}

/** Whether two summaries differ in any figure (a change is a new version and an event). */
export function summaryChanged(a: RatingSummary, b: RatingSummary): boolean {
  return (
    a.reviewCount !== b.reviewCount ||
    a.ratingSum !== b.ratingSum ||
    a.withPhotoCount !== b.withPhotoCount ||
    a.distribution.some((n, i) => n !== b.distribution[i])
  );
}
