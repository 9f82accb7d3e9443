import { REVIEW_PRODUCT } from '@emporia/contracts';
import { NonRetriableError, on, type TopicRoute } from '@emporia/messaging';
import type { Logger } from '@emporia/platform';
import type { ProductRatingsUseCase } from '../application/product-ratings.use-case';
import { ratingSummaryProblem, type ProductRatingSummary } from '../domain/product-rating';

/**
 * Route of `review.product`: ProductRatingChanged updates the product's rating summary (issue
 * 17). A summary that cannot be right (five counts, sums that agree, a version) can never
 * apply: the DLQ, not retried.
 */
export function reviewEventsRoute(useCase: ProductRatingsUseCase, logger: Logger): TopicRoute {
  return on(REVIEW_PRODUCT, {
    ProductRatingChanged: async (m, event, ctx) => {
      const s = m.summary;
      const summary: ProductRatingSummary = {
        productId: s?.productId ?? '',
        reviewCount: s?.reviewCount ?? 0,
        ratingSum: Number(s?.ratingSum ?? 0),
        average: s?.average ?? 0,
        distribution: (s?.distribution ?? []) as ProductRatingSummary['distribution'],
        withPhotoCount: s?.withPhotoCount ?? 0,
        version: Number(m.version),
        changedAt: new Date(m.changedAt),
      };
      const problem = ratingSummaryProblem(summary);
      if (problem) throw new NonRetriableError(`ProductRatingChanged: ${problem}`);
      const outcome = await useCase.onRatingChanged(ctx, event, summary);
      logger.debug(
        { productId: summary.productId, version: summary.version, outcome },
        'product rating handled',
      );
    },
  });
}
