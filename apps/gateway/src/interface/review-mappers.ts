import type { catalogV1, reviewV1 } from '@emporia/contracts';
import type {
  BannedWordsView,
  ModerationReviewView,
  MyReviewView,
  ProductRatingView,
  RatingSummaryView,
  ReviewView,
} from './dto/review.dto';

/** Explicit mapping between the review routes' JSON and `emporia.review.v1`. */

const orNull = (s: string): string | null => s || null;

/**
 * A review for everyone. Built field by field from an allow-list: the author's account, the
 * order, the status and the moderation trail never reach a public answer, whatever the service
 * sends.
 */
export const reviewView = (r: reviewV1.Review): ReviewView => ({
  id: r.id,
  productId: r.productId,
  skuId: r.skuId,
  authorDisplayName: r.authorDisplayName,
  anonymous: r.anonymous,
  rating: r.rating,
  text: r.text,
  photoUrls: r.photoUrls,
  helpfulVotes: r.helpfulVotes,
  reply: r.reply?.text ? { text: r.reply.text, repliedAt: r.reply.repliedAt } : null,
  followUpId: orNull(r.followUpId),
  followsReviewId: orNull(r.followsReviewId),
  createdAt: r.createdAt,
});

export const myReviewView = (r: reviewV1.Review): MyReviewView => ({
  ...reviewView(r),
  orderId: r.orderId,
  status: r.status,
  moderatedAt: orNull(r.moderatedAt),
});

export const moderationReviewView = (r: reviewV1.Review): ModerationReviewView => ({
  ...myReviewView(r),
  accountId: r.accountId,
  moderationReasons: r.moderationReasons,
  moderatedBy: orNull(r.moderatedBy),
});

const FIVE = [0, 0, 0, 0, 0];

/** Always five entries (ratings 1..5), whatever the sender left out. */
const distribution = (d: number[]): number[] => FIVE.map((zero, i) => d[i] ?? zero);

export const ratingSummaryView = (
  productId: string,
  s: reviewV1.RatingSummary | undefined,
): RatingSummaryView => ({
  productId: s?.productId || productId,
  reviewCount: s?.reviewCount ?? 0,
  average: s?.average ?? 0,
  distribution: distribution(s?.distribution ?? []),
  withPhotoCount: s?.withPhotoCount ?? 0,
});

/** A product's rating on catalog views; null while it has none. */
export const productRatingView = (
  r: catalogV1.ProductRating | undefined,
): ProductRatingView | null =>
  r && r.reviewCount > 0
    ? {
        reviewCount: r.reviewCount,
        average: r.average,
        distribution: distribution(r.distribution),
        withPhotoCount: r.withPhotoCount,
      }
    : null;

export const bannedWordsView = (r: {
  words: string[];
  updatedAt: string;
  updatedBy: string;
}): BannedWordsView => ({
  words: r.words,
  updatedAt: orNull(r.updatedAt),
  updatedBy: orNull(r.updatedBy),
});
