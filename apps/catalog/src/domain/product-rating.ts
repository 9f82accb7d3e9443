/**
 * A product's rating summary as the review service publishes it (`review.product`
 * ProductRatingChanged): kept beside the product, never part of it — it does not change the
 * product's version and is not carried on `catalog.product`. Pure.
 */
export interface ProductRatingSummary {
  productId: string;
  reviewCount: number;
  ratingSum: number;
  /** rating_sum / review_count rounded to 2 decimals (0 without reviews). */
  average: number;
  /** Counts of ratings 1..5, in that order. */
  distribution: [number, number, number, number, number];
  withPhotoCount: number;
  /** Grows with every change of the product's rating: the highest seen wins. */
  version: number;
  changedAt: Date;
}

/** Why a summary cannot be stored (a producer bug: the event is dead-lettered), or null. */
export function ratingSummaryProblem(s: ProductRatingSummary): string | null {
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!s.productId) return 'no product id';
  if (!whole(s.version) || s.version < 1) return `version ${s.version} is not a positive integer`;
  if (!whole(s.reviewCount) || !whole(s.ratingSum) || !whole(s.withPhotoCount))
    return 'counts are whole numbers from 0';
  if (s.distribution.length !== 5 || !s.distribution.every(whole))
    return 'the distribution has five counts';
  const counted = s.distribution.reduce((a, n) => a + n, 0);
  if (counted !== s.reviewCount)
    return `the distribution counts ${counted} reviews, review_count says ${s.reviewCount}`;
  const sum = s.distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  if (sum !== s.ratingSum) return `the distribution sums to ${sum}, rating_sum says ${s.ratingSum}`;
  if (s.withPhotoCount > s.reviewCount) return 'more reviews with photos than reviews';
  if (!Number.isFinite(s.average) || s.average < 0 || s.average > 5) return 'average is 0 to 5';
  if (Number.isNaN(s.changedAt.getTime())) return 'changed_at is not a time';
  return null;
}

/** Whether `next` replaces `current`: only a higher version does (redelivery and reorder converge). */
export const replaces = (current: ProductRatingSummary | undefined, next: ProductRatingSummary) =>
  !current || next.version > current.version;
