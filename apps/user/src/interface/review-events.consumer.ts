import { REVIEW_REVIEW } from '@emporia/contracts';
import { NonRetriableError, on, type TopicRoute } from '@emporia/messaging';
import type { Logger } from '@emporia/platform';
import type { ReviewPointsUseCase } from '../application/review-points.use-case';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Route of `review.review`: ReviewApproved with photos earns points (issue 17); ReviewRejected
 * and other types are ignored. An approval without valid ids can never apply: the DLQ.
 */
export function reviewEventsRoute(useCase: ReviewPointsUseCase, logger: Logger): TopicRoute {
  return on(REVIEW_REVIEW, {
    ReviewApproved: async (m, event, ctx) => {
      if (!m.reviewId || !UUID.test(m.accountId))
        throw new NonRetriableError('ReviewApproved without a review id and a valid account id');
      const outcome = await useCase.onReviewApproved(ctx, event, {
        reviewId: m.reviewId,
        accountId: m.accountId,
        photoCount: m.photoCount,
        followUp: m.followUp,
      });
      if (outcome === 'NO_ACCOUNT')
        logger.info(
          { reviewId: m.reviewId, accountId: m.accountId },
          'review points skipped: no such account (unknown or erased)',
        );
      else logger.debug({ reviewId: m.reviewId, outcome }, 'review approval handled');
    },
  });
}
