import { catalogV1 } from '@emporia/contracts';
import { NonRetriableError, type ReceivedEvent } from '@emporia/messaging';
import { contextFromTraceparent, runWithContext, type Logger } from '@emporia/platform';
import type { IndexProductSnapshotUseCase } from '../application/index-product-snapshot.use-case';
import type { ProductSnapshot } from '../domain/product-document';

/** Product events carrying a full snapshot, by event type. */
const SNAPSHOT_EVENTS: Record<string, (bytes: Uint8Array) => catalogV1.Product | undefined> = {
  'emporia.catalog.v1.ProductCreated': (b) => catalogV1.ProductCreated.decode(b).product,
  'emporia.catalog.v1.ProductUpdated': (b) => catalogV1.ProductUpdated.decode(b).product,
  'emporia.catalog.v1.ProductStockChanged': (b) => catalogV1.ProductStockChanged.decode(b).product,
};

const STATUS: Record<string, ProductSnapshot['status']> = {
  [catalogV1.ProductStatus.PRODUCT_STATUS_DRAFT]: 'DRAFT',
  [catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE]: 'ACTIVE',
  [catalogV1.ProductStatus.PRODUCT_STATUS_ARCHIVED]: 'ARCHIVED',
};

export function snapshotFromProto(p: catalogV1.Product): ProductSnapshot {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    categoryPathIds: p.categoryPathIds,
    status: STATUS[p.status] ?? 'UNKNOWN',
    skus: p.skus.map((s) => ({
      code: s.code,
      amountMinor: s.price?.amountMinor ?? 0,
      currency: s.price?.currency ?? '',
      stockOnHand: s.stockOnHand,
    })),
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/**
 * Handler of `catalog.product`: decodes the snapshot and indexes it. An undecodable payload is
 * a NonRetriableError (straight to the DLQ); an index failure throws, so the consumer retries
 * with backoff and dead-letters after its last attempt. Other event types are ignored.
 */
export function catalogProductHandler(useCase: IndexProductSnapshotUseCase, logger: Logger) {
  return async (event: ReceivedEvent): Promise<void> => {
    const decode = SNAPSHOT_EVENTS[event.eventType];
    if (!decode) {
      logger.debug({ eventType: event.eventType }, 'ignoring event type');
      return;
    }
    let product: catalogV1.Product | undefined;
    try {
      product = decode(event.value);
    } catch (e) {
      throw new NonRetriableError(`cannot decode ${event.eventType}: ${(e as Error).message}`);
    }
    if (!product?.id || !product.version)
      throw new NonRetriableError(`${event.eventType} without a product snapshot`);
    const ctx = contextFromTraceparent(event.traceparent);
    const outcome = await runWithContext(ctx, () =>
      useCase.execute(ctx, snapshotFromProto(product), event.eventId),
    );
    logger.debug(
      { productId: product.id, version: product.version, outcome },
      'product snapshot applied',
    );
  };
}
