import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { REVIEW_PRODUCT, REVIEW_REVIEW } from '@emporia/contracts';
import { newEvent, OutboxUnitOfWork, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type {
  Clock,
  IdGenerator,
  ReviewEvents,
  ReviewTx,
  StoredSummary,
  UnitOfWork,
} from '../application/ports';
import type { Review } from '../domain/review';
import {
  SqlBannedWordRepository,
  SqlReviewRepository,
  SqlSummaryRepository,
} from './sql-review.repositories';

/** The topics review publishes to, with the run's prefix applied. */
export interface ReviewTopics {
  review: string;
  product: string;
}

const { ReviewApproved, ReviewRejected } = REVIEW_REVIEW.events;
const { ProductRatingChanged } = REVIEW_PRODUCT.events;

/** Events as outbox rows: `review.review` keyed by review id, `review.product` by product id. */
class OutboxReviewEvents implements ReviewEvents {
  readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topics: ReviewTopics,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  approved(r: Review, at: Date): void {
    this.pending.push(
      newEvent(
        ReviewApproved,
        this.topics.review,
        r.id,
        {
          reviewId: r.id,
          accountId: r.accountId,
          productId: r.productId,
          skuId: r.skuId,
          orderId: r.orderId,
          rating: r.rating,
          photoCount: r.photoUrls.length,
          followUp: r.followsReviewId !== null,
          approvedAt: at.toISOString(),
        },
        this.meta,
      ),
    );
  }

  rejected(r: Review, at: Date): void {
    this.pending.push(
      newEvent(
        ReviewRejected,
        this.topics.review,
        r.id,
        {
          reviewId: r.id,
          accountId: r.accountId,
          productId: r.productId,
          reasons: r.reasons,
          rejectedAt: at.toISOString(),
        },
        this.meta,
      ),
    );
  }

  ratingChanged(s: StoredSummary, at: Date): void {
    const m = s.summary;
    this.pending.push(
      newEvent(
        ProductRatingChanged,
        this.topics.product,
        m.productId,
        {
          summary: {
            productId: m.productId,
            reviewCount: m.reviewCount,
            ratingSum: m.ratingSum,
            average: m.average,
            distribution: [...m.distribution],
            withPhotoCount: m.withPhotoCount,
          },
          version: s.version,
          changedAt: at.toISOString(),
        },
        this.meta,
      ),
    );
  }
}

/** One transaction per use-case step; events commit with the change; the relay is woken after. */
export class TypeormUnitOfWork extends OutboxUnitOfWork<ReviewTx> implements UnitOfWork {
  constructor(
    ds: DataSource,
    private readonly topics: ReviewTopics,
    onEventsCommitted?: () => void,
  ) {
    super(ds, onEventsCommitted);
  }

  protected open(manager: EntityManager, ctx: RequestContext) {
    const events = new OutboxReviewEvents(this.topics, ctx);
    return {
      tx: {
        reviews: new SqlReviewRepository(manager),
        summaries: new SqlSummaryRepository(manager),
        bannedWords: new SqlBannedWordRepository(manager),
        events,
      },
      drain: () => events.pending.splice(0),
    };
  }
}

export const systemClock: Clock = { now: () => new Date() };
export const uuidV7Generator: IdGenerator = { newId: () => uuidv7() };
