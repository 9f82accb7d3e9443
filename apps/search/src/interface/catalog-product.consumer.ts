import { catalogV1, marketingV1 } from '@emporia/contracts';
import { NonRetriableError, type ReceivedEvent } from '@emporia/messaging';
import { contextFromTraceparent, runWithContext, type Logger } from '@emporia/platform';
import type { ProjectionUseCases } from '../application/catalog-events.use-case';
import type { IndexProductSnapshotUseCase } from '../application/index-product-snapshot.use-case';
import { snapshotFromProto } from '../infrastructure/catalog-source';

/** Product events carrying a full snapshot, by event type. */
const SNAPSHOT_EVENTS: Record<string, (bytes: Uint8Array) => catalogV1.Product | undefined> = {
  'emporia.catalog.v1.ProductCreated': (b) => catalogV1.ProductCreated.decode(b).product,
  'emporia.catalog.v1.ProductUpdated': (b) => catalogV1.ProductUpdated.decode(b).product,
  'emporia.catalog.v1.ProductStockChanged': (b) => catalogV1.ProductStockChanged.decode(b).product,
};

const CATEGORY_EVENTS: Record<string, (bytes: Uint8Array) => catalogV1.Category | undefined> = {
  'emporia.catalog.v1.CategoryCreated': (b) => catalogV1.CategoryCreated.decode(b).category,
  'emporia.catalog.v1.CategoryUpdated': (b) => catalogV1.CategoryUpdated.decode(b).category,
  'emporia.catalog.v1.CategoryMoved': (b) => catalogV1.CategoryMoved.decode(b).category,
};

/** Decodes a payload; an undecodable one is a NonRetriableError (straight to the DLQ). */
function decode<T>(event: ReceivedEvent, decoder: (b: Uint8Array) => T): T {
  try {
    return decoder(event.value);
  } catch (e) {
    throw new NonRetriableError(`cannot decode ${event.eventType}: ${(e as Error).message}`);
  }
}

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
  return async (event: ReceivedEvent): Promise<void> => {
    const ctx = contextFromTraceparent(event.traceparent);
    const snapshot = SNAPSHOT_EVENTS[event.eventType];
    if (snapshot) {
      const product = decode(event, snapshot);
      if (!product?.id || !product.version)
        throw new NonRetriableError(`${event.eventType} without a product snapshot`);
      const outcome = await runWithContext(ctx, () =>
        products.execute(ctx, snapshotFromProto(product), event.eventId),
      );
      logger.debug(
        { productId: product.id, version: product.version, outcome },
        'product snapshot applied',
      );
      return;
    }
    const category = CATEGORY_EVENTS[event.eventType];
    if (category) {
      const c = decode(event, category);
      if (!c?.id) throw new NonRetriableError(`${event.eventType} without a category`);
      const rewritten = await runWithContext(ctx, () =>
        projections.categoryChanged({ id: c.id, name: c.name, pathIds: c.pathIds }),
      );
      if (rewritten) logger.info({ categoryId: c.id, rewritten }, 'category renamed in products');
      return;
    }
    if (event.eventType === 'emporia.marketing.v1.FlashSaleScheduled') {
      const { sale: s, productId } = decode(event, (b) => marketingV1.FlashSaleScheduled.decode(b));
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
      return;
    }
    logger.debug({ eventType: event.eventType }, 'ignoring event type');
  };
}
