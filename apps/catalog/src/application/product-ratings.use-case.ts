import { Inject, Injectable } from '@nestjs/common';
import type { ReceivedEvent } from '@emporia/messaging';
import type { RequestContext } from '@emporia/platform';
import type { ProductRatingSummary } from '../domain/product-rating';
import { UNIT_OF_WORK, type UnitOfWork } from './ports';

/** The inbox name of the ratings consumer. */
export const RATINGS_CONSUMER = 'catalog.ratings';

/**
 * Rating summaries from `review.product` kept beside the products (issue 17), for GetProduct and
 * ListProducts. Only a higher version replaces the held summary, so redelivered and reordered
 * events converge on the latest; the inbox skips a redelivered message outright. A rating never
 * touches the product row: the product's version does not move and nothing is published on
 * `catalog.product`. A summary may arrive before its product exists (it is shown once it does).
 */
@Injectable()
export class ProductRatingsUseCase {
  constructor(@Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork) {}

  /** 'STORED', 'STALE' (a version not higher than held) or 'DUPLICATE_EVENT'. */
  async onRatingChanged(
    ctx: RequestContext,
    event: ReceivedEvent,
    summary: ProductRatingSummary,
  ): Promise<'STORED' | 'STALE' | 'DUPLICATE_EVENT'> {
    let outcome: 'STORED' | 'STALE' | 'DUPLICATE_EVENT' = 'DUPLICATE_EVENT';
    await this.uow.runForEvent(ctx, RATINGS_CONSUMER, event, async (tx) => {
      outcome = (await tx.ratings.saveIfNewer(summary)) ? 'STORED' : 'STALE';
    });
    return outcome;
  }
}
