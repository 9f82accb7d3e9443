import { UUID_RE } from '@emporia/domain';
import { decodeCursor, encodeCursor, pageSize } from '@emporia/platform';
import type { reviewV1 } from '@emporia/contracts';
import type { HelpfulCursor, Page, RecentCursor } from '../application/ports';
import type { ReviewView } from '../application/reviews.use-case';
import type { RatingSummary } from '../domain/rating-summary';
import type { Review, ReviewStatus } from '../domain/review';
import { invalid } from '../domain/review-error';

export const uuid = (field: string, v: string): string => {
  if (!UUID_RE.test(v ?? '')) throw invalid('ID_INVALID', `${field} must be a UUID`, field);
  return v.toLowerCase();
};

/** Who reads a review: the public sees no account id, reasons or operator. */
export type Audience = 'public' | 'author' | 'operator';

export function reviewOut(
  r: Review,
  audience: Audience,
  followUp?: Review | null,
): reviewV1.Review {
  const hidden = audience === 'public';
  return {
    id: r.id,
    productId: r.productId,
    skuId: r.skuId,
    orderId: hidden ? '' : r.orderId,
    accountId: hidden ? '' : r.accountId,
    authorDisplayName: r.authorName,
    anonymous: r.anonymous,
    rating: r.rating,
    text: r.text,
    photoUrls: r.photoUrls,
    status: r.status,
    moderationReasons: hidden ? [] : r.reasons,
    helpfulVotes: r.helpfulVotes,
    reply: r.reply
      ? {
          text: r.reply.text,
          repliedBy: hidden ? '' : r.reply.repliedBy,
          repliedAt: r.reply.repliedAt.toISOString(),
        }
      : undefined,
    followUpId: followUp?.id ?? '',
    followsReviewId: r.followsReviewId ?? '',
    createdAt: r.createdAt.toISOString(),
    moderatedAt: r.moderatedAt?.toISOString() ?? '',
    moderatedBy: hidden ? '' : (r.moderatedBy ?? ''),
    followUp: followUp ? reviewOut(followUp, audience) : undefined,
  };
}

export const viewOut = (v: ReviewView, audience: Audience) =>
  reviewOut(v.review, audience, v.followUp);

export const summaryOut = (s: RatingSummary): reviewV1.RatingSummary => ({
  productId: s.productId,
  reviewCount: s.reviewCount,
  ratingSum: s.ratingSum,
  average: s.average,
  distribution: [...s.distribution],
  withPhotoCount: s.withPhotoCount,
});

const isRecent = (v: unknown): v is RecentCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as RecentCursor).createdAt === 'string' &&
  !Number.isNaN(Date.parse((v as RecentCursor).createdAt)) &&
  UUID_RE.test(String((v as RecentCursor).id));

const isHelpful = (v: unknown): v is HelpfulCursor & { votes: number } =>
  isRecent(v) && Number.isInteger((v as HelpfulCursor).votes);

/** Page size (default 20, at most 50) and the position after which to read. */
export function page<C>(cursor: string, limit: number, helpful = false): Page<C> {
  return {
    limit: pageSize(limit, 20, 50),
    after: cursor ? (decodeCursor(cursor, helpful ? isHelpful : isRecent) as C) : null,
  };
}

/** The cursor of the next page: the last item's position, when the page is full. */
export function nextCursor(items: Review[], limit: number, helpful = false): string {
  const last = items[items.length - 1];
  if (!last || items.length < limit) return '';
  const at = { createdAt: last.createdAt.toISOString(), id: last.id };
  return encodeCursor(helpful ? { ...at, votes: last.helpfulVotes } : at);
}

export function status(v: string): ReviewStatus {
  const s = v || 'HELD';
  if (s !== 'HELD' && s !== 'APPROVED' && s !== 'REJECTED')
    throw invalid('STATUS_INVALID', 'status is HELD, APPROVED or REJECTED', 'status');
  return s;
}
