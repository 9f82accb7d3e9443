import {
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  MARKETING_FLASH_SALE,
  type catalogV1,
} from '@emporia/contracts';
import { eventHandler, NonRetriableError, on, type ReceivedEvent } from '@emporia/messaging';
import type { RequestContext, Logger } from '@emporia/platform';
import type { ProjectionUseCases } from '../application/catalog-events.use-case';
import type { IndexProductSnapshotUseCase } from '../application/index-product-snapshot.use-case';
import { snapshotFromProto } from '../infrastructure/catalog-source';

/**
 * Handler of `catalog.product`, `catalog.category` and `marketing.flash-sale`: product
 * snapshots into the index, category names beside it (a rename rewrites the products under the
 * category), flash sales for the hits' offers. A failure throws, so the consumer retries with
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
  );
}
