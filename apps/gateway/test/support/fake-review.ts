import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { reviewV1 } from '@emporia/contracts';
import { grpcError, startFakeGrpc, type FakeService } from '@emporia/testing';

/** An order the fake says is not the caller's (NOT_FOUND ORDER_NOT_FOUND). */
export const NOT_MY_ORDER = '0190a000-0000-7000-8000-00000000dead';
/** An order the fake says is not delivered yet (FAILED_PRECONDITION NOT_DELIVERED). */
export const UNDELIVERED_ORDER = '0190a000-0000-7000-8000-00000000beef';

/**
 * A test double of the review service at its gRPC boundary (the end-to-end suite runs the real
 * one), keeping reviews in memory with the contract's visible rules: NOT_MY_ORDER is NOT_FOUND
 * ORDER_NOT_FOUND, UNDELIVERED_ORDER FAILED_PRECONDITION NOT_DELIVERED, a second review of a
 * line ALREADY_EXISTS REVIEW_EXISTS; a text with a banned word is HELD; a vote on one's own
 * review is FAILED_PRECONDITION OWN_REVIEW; public listings hold approved reviews with the
 * account id left out ("").
 */
export async function startFakeReview(): Promise<FakeService> {
  const reviews = new Map<string, reviewV1.Review>();
  const votes = new Set<string>();
  let banned = { words: ['spam'], updatedAt: '', updatedBy: '' };
  const now = () => new Date().toISOString();

  const reviewOf = (id: string) => {
    const r = reviews.get(id);
    if (!r) throw grpcError(status.NOT_FOUND, 'REVIEW_NOT_FOUND', `no review ${id}`);
    return r;
  };

  return startFakeGrpc('review', {
    submitReview: (req: reviewV1.SubmitReviewRequest) => {
      if (req.orderId === NOT_MY_ORDER) throw grpcError(status.NOT_FOUND, 'ORDER_NOT_FOUND');
      if (req.orderId === UNDELIVERED_ORDER)
        throw grpcError(status.FAILED_PRECONDITION, 'NOT_DELIVERED');
      const exists = [...reviews.values()].some(
        (r) => r.accountId === req.accountId && r.orderId === req.orderId && r.skuId === req.skuId,
      );
      if (exists) throw grpcError(status.ALREADY_EXISTS, 'REVIEW_EXISTS');
      const hits = banned.words.filter((w) => req.text.toLowerCase().includes(w));
      const review: reviewV1.Review = {
        id: randomUUID(),
        productId: '0190a000-0000-7000-8000-0000000000b1',
        skuId: req.skuId,
        orderId: req.orderId,
        accountId: req.accountId,
        authorDisplayName: req.anonymous ? 'Anonymous' : 'z***n',
        anonymous: req.anonymous,
        rating: req.rating,
        text: req.text,
        photoUrls: req.photoUrls,
        status: hits.length ? 'HELD' : 'APPROVED',
        moderationReasons: hits.map((w) => `banned word: ${w}`),
        helpfulVotes: 0,
        reply: undefined,
        followUpId: '',
        followsReviewId: '',
        followUp: undefined,
        createdAt: now(),
        moderatedAt: '',
        moderatedBy: '',
      };
      reviews.set(review.id, review);
      return { review };
    },
    submitFollowUp: (req: reviewV1.SubmitFollowUpRequest) => {
      const first = reviewOf(req.reviewId);
      if (first.accountId !== req.accountId) throw grpcError(status.NOT_FOUND, 'REVIEW_NOT_FOUND');
      if (first.followUpId) throw grpcError(status.ALREADY_EXISTS, 'FOLLOW_UP_EXISTS');
      const review = {
        ...first,
        id: randomUUID(),
        rating: 0,
        text: req.text,
        photoUrls: req.photoUrls,
        followsReviewId: first.id,
        createdAt: now(),
      };
      reviews.set(review.id, review);
      reviews.set(first.id, { ...first, followUpId: review.id });
      return { review };
    },
    voteHelpful: (req: reviewV1.VoteHelpfulRequest) => {
      const r = reviewOf(req.reviewId);
      if (r.accountId === req.accountId) throw grpcError(status.FAILED_PRECONDITION, 'OWN_REVIEW');
      const key = `${req.reviewId}:${req.accountId}`;
      const counted = !votes.has(key);
      votes.add(key);
      const next = { ...r, helpfulVotes: r.helpfulVotes + (counted ? 1 : 0) };
      reviews.set(r.id, next);
      return { helpfulVotes: next.helpfulVotes, counted };
    },
    listMyReviews: (req: reviewV1.ListMyReviewsRequest) => ({
      reviews: [...reviews.values()].filter((r) => r.accountId === req.accountId),
      nextCursor: '',
    }),
    listReviewable: () => ({
      lines: [
        {
          orderId: '0190a000-0000-7000-8000-0000000000d1',
          skuId: '0190a000-0000-7000-8000-0000000000d2',
          productId: '0190a000-0000-7000-8000-0000000000b1',
          title: 'Teapot',
          deliveredAt: now(),
        },
      ],
    }),
    listProductReviews: (req: reviewV1.ListProductReviewsRequest) => ({
      reviews: [...reviews.values()]
        .filter(
          (r) =>
            r.productId === req.productId &&
            r.status === 'APPROVED' &&
            (!req.rating || r.rating === req.rating) &&
            (!req.withPhotos || r.photoUrls.length > 0),
        )
        .map((r) => ({ ...r, accountId: '' })),
      nextCursor: 'next-page',
    }),
    getRatingSummary: (req: reviewV1.GetRatingSummaryRequest) => ({
      summary: {
        productId: req.productId,
        reviewCount: 3,
        ratingSum: 13,
        average: 4.33,
        distribution: [0, 0, 0, 2, 1],
        withPhotoCount: 1,
      },
    }),
    listModerationQueue: (req: reviewV1.ListModerationQueueRequest) => ({
      reviews: [...reviews.values()].filter((r) => r.status === (req.status || 'HELD')),
      nextCursor: '',
    }),
    moderateReview: (req: reviewV1.ModerateReviewRequest) => {
      const r = reviewOf(req.reviewId);
      const next = {
        ...r,
        status: req.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
        moderatedAt: now(),
        moderatedBy: req.operatorId,
        moderationReasons: req.note ? [...r.moderationReasons, req.note] : r.moderationReasons,
      };
      reviews.set(r.id, next);
      return { review: next };
    },
    replyToReview: (req: reviewV1.ReplyToReviewRequest) => {
      const r = reviewOf(req.reviewId);
      const next = {
        ...r,
        reply: { text: req.text, repliedBy: req.operatorId, repliedAt: now() },
      };
      reviews.set(r.id, next);
      return { review: next };
    },
    setBannedWords: (req: reviewV1.SetBannedWordsRequest) => {
      banned = { words: req.words, updatedAt: now(), updatedBy: req.operatorId };
      return banned;
    },
    listBannedWords: () => banned,
  });
}
