/**
 * A product's rating summary from the review service (`review.product` ProductRatingChanged),
 * and the fields it gives the product's search document. Pure.
 */
export interface RatingSummary {
  productId: string;
  reviewCount: number;
  ratingSum: number;
  /** rating_sum / review_count rounded to 2 decimals (0 without reviews). */
  average: number;
  /** Counts of ratings 1..5, in that order. */
  distribution: number[];
  withPhotoCount: number;
  /** Grows with every change of the product's rating: the highest seen wins. */
  version: number;
  changedAt: string;
}

/** The rating fields of a product document; an unrated product has 0 and 0 (so it sorts last). */
export interface DocRating {
  rating_average: number;
  review_count: number;
  /** The summary version these fields come from (0: none). */
  rating_version: number;
}

export const UNRATED: DocRating = { rating_average: 0, review_count: 0, rating_version: 0 };

/** The document fields of a summary (none, or no review left: unrated). */
export function docRating(s: RatingSummary | undefined): DocRating {
  if (!s) return UNRATED;
  return s.reviewCount > 0
    ? { rating_average: s.average, review_count: s.reviewCount, rating_version: s.version }
    : { ...UNRATED, rating_version: s.version };
}

/** Why a summary cannot be right (a producer bug: the event is dead-lettered), or null. */
export function ratingSummaryProblem(s: RatingSummary): string | null {
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!s.productId) return 'no product id';
  if (!whole(s.version) || s.version < 1) return `version ${s.version} is not a positive integer`;
  if (!whole(s.reviewCount) || !whole(s.ratingSum) || !whole(s.withPhotoCount))
    return 'counts are whole numbers from 0';
  if (s.distribution.length !== 5 || !s.distribution.every(whole))
    return 'the distribution has five counts';
  if (s.distribution.reduce((a, n) => a + n, 0) !== s.reviewCount)
    return 'the distribution does not add up to review_count';
  if (s.distribution.reduce((a, n, i) => a + n * (i + 1), 0) !== s.ratingSum)
    return 'the distribution does not add up to rating_sum';
  if (!Number.isFinite(s.average) || s.average < 0 || s.average > 5) return 'average is 0 to 5';
  if (s.reviewCount > 0 && s.average < 1) return 'a rated product averages 1 to 5';
  return null;
}
