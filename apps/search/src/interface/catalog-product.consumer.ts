import {
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  MARKETING_FLASH_SALE,
  REVIEW_PRODUCT,
  type catalogV1,
} from '@emporia/contracts';
import { eventHandler, NonRetriableError, on, type ReceivedEvent } from '@emporia/messaging';
import type { RequestContext, Logger } from '@emporia/platform';
import type { ProjectionUseCases } from '../application/catalog-events.use-case';
import type { IndexProductSnapshotUseCase } from '../application/index-product-snapshot.use-case';
import { ratingSummaryProblem, type RatingSummary } from '../domain/product-rating';
import { snapshotFromProto } from '../infrastructure/catalog-source';

/**
 * Handler of `catalog.product`, `catalog.category`, `marketing.flash-sale` and `review.product`:
 * product snapshots into the index, category names beside it (a rename rewrites the products
 * under the category), flash sales for the hits' offers, rating summaries beside it and into
 * the product's document (an impossible summary goes to the DLQ). A failure throws, so the consumer retries with
 * backoff and dead-letters after its last attempt. Other event types are ignored.
 */
export function searchEventHandler(
  products: IndexProductSnapshotUseCase,
  projections: ProjectionUseCases,
  logger: Logger,
) {
  const snapshot = async (
    m: { product: catalogV1.Product | undefined },
    event: ReceivedEvent,
    ctx: RequestContext,
  ): Promise<void> => {
    const product = m.product;
    if (!product?.id || !product.version)
      throw new NonRetriableError(`${event.eventType} without a product snapshot`);
    const outcome = await products.execute(ctx, snapshotFromProto(product), event.eventId);
    logger.debug(
      { productId: product.id, version: product.version, outcome },
      'product snapshot applied',
    );
  };
  const category = async (
    m: { category: catalogV1.Category | undefined },
    event: ReceivedEvent,
  ): Promise<void> => {
    const c = m.category;
    if (!c?.id) throw new NonRetriableError(`${event.eventType} without a category`);
    const rewritten = await projections.categoryChanged({
      id: c.id,
      name: c.name,
      pathIds: c.pathIds,
    });
    if (rewritten) logger.info({ categoryId: c.id, rewritten }, 'category renamed in products');
  };
  return eventHandler(
    on(CATALOG_PRODUCT, {
      ProductCreated: snapshot,
      ProductUpdated: snapshot,
      ProductStockChanged: snapshot,
    }),
    on(CATALOG_CATEGORY, {
      CategoryCreated: category,
      CategoryUpdated: category,
      CategoryMoved: category,
    }),
    on(MARKETING_FLASH_SALE, {
      FlashSaleScheduled: async ({ sale: s, productId }) => {
        if (!s?.id || !s.skuId || !s.price)
          throw new NonRetriableError('FlashSaleScheduled without a sale');
        await projections.flashSaleScheduled({
          saleId: s.id,
          skuId: s.skuId,
          productId,
          priceMinor: s.price.amountMinor,
          currency: s.price.currency,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
        });
      },
    }),
    on(REVIEW_PRODUCT, {
      ProductRatingChanged: async ({ summary: s, version, changedAt }) => {
        const summary: RatingSummary = {
          productId: s?.productId ?? '',
          reviewCount: s?.reviewCount ?? 0,
          ratingSum: Number(s?.ratingSum ?? 0),
          average: s?.average ?? 0,
          distribution: s?.distribution ?? [],
          withPhotoCount: s?.withPhotoCount ?? 0,
          version: Number(version),
          changedAt,
        };
        const problem = ratingSummaryProblem(summary);
        if (problem) throw new NonRetriableError(`ProductRatingChanged: ${problem}`);
        const outcome = await projections.ratingChanged(summary);
        logger.debug(
          { productId: summary.productId, version: summary.version, outcome },
          'product rating applied',
        );
      },
    }),
  );
}
