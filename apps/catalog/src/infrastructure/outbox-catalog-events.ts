import {
  CATALOG_CATEGORY,
  CATALOG_PRODUCT,
  CATALOG_STOCK,
  type EventType,
} from '@emporia/contracts';
import { newEvent, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { CatalogEvents, ProductView, StockCrossingEvent } from '../application/ports';
import type { Category } from '../domain/category';
import type { StockLevel } from '../domain/stock';
import { categoryToProto, productToProto } from './proto-mappers';

/**
 * The product as `catalog.product` carries it: without the rating, which is not part of the
 * product (its version does not move with it) and travels on `review.product` itself.
 */
const eventProduct = (view: ProductView) => productToProto({ ...view, rating: undefined });

const crossing = (e: StockCrossingEvent) => ({
  skuId: e.skuId,
  skuCode: e.skuCode,
  productId: e.productId,
  productTitle: e.productTitle,
  warehouseCode: e.warehouseCode,
  available: e.available,
  threshold: e.threshold,
  occurredAt: e.at.toISOString(),
});

export interface CatalogTopics {
  product: string;
  category: string;
  /** `catalog.stock` (issue 18): StockLow / StockRecovered, keyed by SKU id. */
  stock: string;
}

/** Collects the transaction's events as outbox rows (protobuf payloads, keyed by aggregate id). */
export class OutboxCatalogEvents implements CatalogEvents {
  private readonly pending: NewEvent[] = [];
  private readonly meta: { traceparent: string };

  constructor(
    private readonly topics: CatalogTopics,
    ctx: RequestContext,
  ) {
    this.meta = { traceparent: toTraceparent(ctx) };
  }

  productCreated(view: ProductView): void {
    this.product(CATALOG_PRODUCT.events.ProductCreated, view, { product: eventProduct(view) });
  }

  productUpdated(view: ProductView, changedFields: string[]): void {
    this.product(CATALOG_PRODUCT.events.ProductUpdated, view, {
      product: eventProduct(view),
      changedFields,
    });
  }

  stockChanged(
    view: ProductView,
    level: StockLevel,
    delta: number,
    reason: string,
    reference = '',
  ): void {
    this.product(CATALOG_PRODUCT.events.ProductStockChanged, view, {
      product: eventProduct(view),
      skuId: level.skuId,
      warehouseCode: level.warehouseCode,
      delta,
      warehouseOnHand: level.onHand,
      reason,
      reference,
    });
  }

  categoryCreated(category: Category): void {
    this.pending.push(
      newEvent(
        CATALOG_CATEGORY.events.CategoryCreated,
        this.topics.category,
        category.id,
        { category: categoryToProto(category) },
        this.meta,
      ),
    );
  }

  categoryUpdated(category: Category): void {
    this.pending.push(
      newEvent(
        CATALOG_CATEGORY.events.CategoryUpdated,
        this.topics.category,
        category.id,
        { category: categoryToProto(category) },
        this.meta,
      ),
    );
  }

  categoryMoved(category: Category, old: Category): void {
    this.pending.push(
      newEvent(
        CATALOG_CATEGORY.events.CategoryMoved,
        this.topics.category,
        category.id,
        {
          category: categoryToProto(category),
          oldParentId: old.parentId ?? '',
          oldPathIds: old.pathIds,
        },
        this.meta,
      ),
    );
  }

  // issue 18: low-stock crossings
  stockLow(e: StockCrossingEvent): void {
    this.pending.push(
      newEvent(CATALOG_STOCK.events.StockLow, this.topics.stock, e.skuId, crossing(e), this.meta),
    );
  }

  stockRecovered(e: StockCrossingEvent): void {
    this.pending.push(
      newEvent(
        CATALOG_STOCK.events.StockRecovered,
        this.topics.stock,
        e.skuId,
        crossing(e),
        this.meta,
      ),
    );
  }

  /** The events recorded so far, in order. */
  drain(): NewEvent[] {
    return this.pending.splice(0);
  }

  private product<T>(type: EventType<T>, view: ProductView, message: T): void {
    this.pending.push(newEvent(type, this.topics.product, view.product.id, message, this.meta));
  }
}
