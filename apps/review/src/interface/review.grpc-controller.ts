import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { reviewV1 } from '@emporia/contracts';
import { withGrpcContext } from '@emporia/platform';
import { ModerationUseCase } from '../application/moderation.use-case';
import type { HelpfulCursor, RecentCursor } from '../application/ports';
import { ReviewsUseCase } from '../application/reviews.use-case';
import type { BannedWordList } from '../application/ports';
import { invalid } from '../domain/review-error';
import { nextCursor, page, reviewOut, status, summaryOut, uuid, viewOut } from './proto-mapping';

const MAX_CLIENT_FIELD = 256;
/** device_id and ip are passed to risk as given, bounded. */
const clientField = (field: string, v: string) => {
  const s = (v ?? '').trim();
  if (s.length > MAX_CLIENT_FIELD)
    throw invalid('FIELD_INVALID', `${field} has at most ${MAX_CLIENT_FIELD} characters`, field);
  return s;
};

const bannedOut = (l: BannedWordList) => ({
  words: l.words,
  updatedAt: l.updatedAt?.toISOString() ?? '',
  updatedBy: l.updatedBy,
});

/** Thin gRPC mapping of ReviewService onto the use cases. */
@Controller()
@reviewV1.ReviewServiceControllerMethods()
export class ReviewGrpcController implements reviewV1.ReviewServiceController {
  constructor(
    private readonly reviews: ReviewsUseCase,
    private readonly moderation: ModerationUseCase,
  ) {}

  submitReview(
    req: reviewV1.SubmitReviewRequest,
    md?: Metadata,
  ): Promise<reviewV1.SubmitReviewResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.reviews.submit(ctx, {
        accountId: uuid('account_id', req.accountId),
        orderId: uuid('order_id', req.orderId),
        skuId: uuid('sku_id', req.skuId),
        rating: req.rating,
        text: req.text,
        photoUrls: req.photoUrls ?? [],
        anonymous: req.anonymous,
        deviceId: clientField('device_id', req.deviceId),
        ip: clientField('ip', req.ip),
      });
      return { review: reviewOut(r, 'author') };
    });
  }

  submitFollowUp(
    req: reviewV1.SubmitFollowUpRequest,
    md?: Metadata,
  ): Promise<reviewV1.SubmitFollowUpResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.reviews.submitFollowUp(ctx, {
        reviewId: uuid('review_id', req.reviewId),
        accountId: uuid('account_id', req.accountId),
        text: req.text,
        photoUrls: req.photoUrls ?? [],
        deviceId: clientField('device_id', req.deviceId),
        ip: clientField('ip', req.ip),
      });
      return { review: reviewOut(r, 'author') };
    });
  }

  voteHelpful(
    req: reviewV1.VoteHelpfulRequest,
    md?: Metadata,
  ): Promise<reviewV1.VoteHelpfulResponse> {
    return withGrpcContext(md, (ctx) =>
      this.reviews.voteHelpful(
        ctx,
        uuid('review_id', req.reviewId),
        uuid('account_id', req.accountId),
      ),
    );
  }

  listMyReviews(
    req: reviewV1.ListMyReviewsRequest,
    md?: Metadata,
  ): Promise<reviewV1.ListMyReviewsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const p = page<RecentCursor>(req.cursor, req.limit);
      const views = await this.reviews.listMine(ctx, uuid('account_id', req.accountId), p);
      return {
        reviews: views.map((v) => viewOut(v, 'author')),
        nextCursor: nextCursor(
          views.map((v) => v.review),
          p.limit,
        ),
      };
    });
  }

  listReviewable(
    req: reviewV1.ListReviewableRequest,
    md?: Metadata,
  ): Promise<reviewV1.ListReviewableResponse> {
    return withGrpcContext(md, async (ctx) => {
      const lines = await this.reviews.reviewable(ctx, uuid('account_id', req.accountId));
      return {
        lines: lines.map((l) => ({
          orderId: l.orderId,
          skuId: l.skuId,
          productId: l.productId,
          title: l.title,
          deliveredAt: l.deliveredAt.toISOString(),
        })),
      };
    });
  }

  listProductReviews(
    req: reviewV1.ListProductReviewsRequest,
    md?: Metadata,
  ): Promise<reviewV1.ListProductReviewsResponse> {
    return withGrpcContext(md, async (ctx) => {
      const sort = req.sort || 'recent';
      if (sort !== 'recent' && sort !== 'helpful')
        throw invalid('SORT_INVALID', 'sort is recent or helpful', 'sort');
      const rating = req.rating ?? 0;
      if (!Number.isInteger(rating) || rating < 0 || rating > 5)
        throw invalid('RATING_INVALID', 'rating is 1..5, or 0 for all', 'rating');
      const helpful = sort === 'helpful';
      const p = page<HelpfulCursor>(req.cursor, req.limit, helpful);
      const views = await this.reviews.listProduct(
        ctx,
        {
          productId: uuid('product_id', req.productId),
          sort,
          withPhotos: req.withPhotos,
          rating,
        },
        p,
      );
      return {
        reviews: views.map((v) => viewOut(v, 'public')),
        nextCursor: nextCursor(
          views.map((v) => v.review),
          p.limit,
          helpful,
        ),
      };
    });
  }

  getRatingSummary(
    req: reviewV1.GetRatingSummaryRequest,
    md?: Metadata,
  ): Promise<reviewV1.GetRatingSummaryResponse> {
    return withGrpcContext(md, async (ctx) => ({
      summary: summaryOut(await this.reviews.summary(ctx, uuid('product_id', req.productId))),
    }));
  }

  listModerationQueue(
    req: reviewV1.ListModerationQueueRequest,
    md?: Metadata,
  ): Promise<reviewV1.ListModerationQueueResponse> {
    return withGrpcContext(md, async (ctx) => {
      const p = page<RecentCursor>(req.cursor, req.limit);
      const reviews = await this.moderation.queue(ctx, status(req.status), p);
      return {
        reviews: reviews.map((r) => reviewOut(r, 'operator')),
        nextCursor: nextCursor(reviews, p.limit),
      };
    });
  }

  moderateReview(
    req: reviewV1.ModerateReviewRequest,
    md?: Metadata,
  ): Promise<reviewV1.ModerateReviewResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.moderation.decide(ctx, {
        reviewId: uuid('review_id', req.reviewId),
        operatorId: uuid('operator_id', req.operatorId),
        decision: req.decision,
        note: req.note,
      });
      return { review: reviewOut(r, 'operator') };
    });
  }

  replyToReview(
    req: reviewV1.ReplyToReviewRequest,
    md?: Metadata,
  ): Promise<reviewV1.ReplyToReviewResponse> {
    return withGrpcContext(md, async (ctx) => {
      const r = await this.moderation.reply(ctx, {
        reviewId: uuid('review_id', req.reviewId),
        operatorId: uuid('operator_id', req.operatorId),
        text: req.text,
      });
      return { review: reviewOut(r, 'operator') };
    });
  }

  setBannedWords(
    req: reviewV1.SetBannedWordsRequest,
    md?: Metadata,
  ): Promise<reviewV1.SetBannedWordsResponse> {
    return withGrpcContext(md, async (ctx) =>
      bannedOut(
        await this.moderation.setBannedWords(
          ctx,
          req.words ?? [],
          uuid('operator_id', req.operatorId),
        ),
      ),
    );
  }

  listBannedWords(
    _req: reviewV1.ListBannedWordsRequest,
    md?: Metadata,
  ): Promise<reviewV1.ListBannedWordsResponse> {
    return withGrpcContext(md, async (ctx) => bannedOut(await this.moderation.bannedWords(ctx)));
  }
}
