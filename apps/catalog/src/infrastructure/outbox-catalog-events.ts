import { catalogV1 } from '@emporia/contracts';
import { eventType, newEvent, type NewEvent } from '@emporia/messaging';
import { toTraceparent, type RequestContext } from '@emporia/platform';
import type { CatalogEvents, ProductView } from '../application/ports';
import type { Category } from '../domain/category';
import type { StockLevel } from '../domain/stock';
import { categoryToProto, productToProto } from './proto-mappers';

export const CATALOG_EVENT_TYPES = {
  productCreated: eventType('emporia.catalog.v1.ProductCreated', catalogV1.ProductCreated),
  productUpdated: eventType('emporia.catalog.v1.ProductUpdated', catalogV1.ProductUpdated),
  productStockChanged: eventType(
    'emporia.catalog.v1.ProductStockChanged',
    catalogV1.ProductStockChanged,
  ),
  categoryCreated: eventType('emporia.catalog.v1.CategoryCreated', catalogV1.CategoryCreated),
  categoryUpdated: eventType('emporia.catalog.v1.CategoryUpdated', catalogV1.CategoryUpdated),
  categoryMoved: eventType('emporia.catalog.v1.CategoryMoved', catalogV1.CategoryMoved),
};

export interface CatalogTopics {
  product: string;
  category: string;
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
    this.product(CATALOG_EVENT_TYPES.productCreated, view, { product: productToProto(view) });
  }

  productUpdated(view: ProductView, changedFields: string[]): void {
    this.product(CATALOG_EVENT_TYPES.productUpdated, view, {
      product: productToProto(view),
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
    this.product(CATALOG_EVENT_TYPES.productStockChanged, view, {
      product: productToProto(view),
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
        CATALOG_EVENT_TYPES.categoryCreated,
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
        CATALOG_EVENT_TYPES.categoryUpdated,
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
        CATALOG_EVENT_TYPES.categoryMoved,
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

  /** The events recorded so far, in order. */
  drain(): NewEvent[] {
    return this.pending.splice(0);
  }

  private product<T>(type: ReturnType<typeof eventType<T>>, view: ProductView, message: T): void {
    this.pending.push(newEvent(type, this.topics.product, view.product.id, message, this.meta));
  }
}
