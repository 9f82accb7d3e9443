import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { CatalogError, notFound } from '../domain/catalog-error';
import {
  setThreshold,
  type StockThreshold,
  validateThresholdInput,
} from '../domain/stock-threshold';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { requireProduct } from './product-rules';
import { emitCrossing } from './stock-threshold-watch';

/** How many thresholds ListStockThresholds returns at most when it lists every SKU's. */
export const MAX_LISTED_THRESHOLDS = 1000;

/** Low-stock thresholds per SKU and warehouse: set (evaluated at once), removed, listed. */
@Injectable()
export class StockThresholdUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Sets (threshold > 0) or removes (0) a threshold and evaluates it in the same transaction:
   * a SKU already at or under a new threshold is low at once (StockLow), one that is low and
   * whose threshold is lowered below its stock or removed recovers (StockRecovered). Locks in
   * the stock writers' order: the product, the stock row, then the threshold row, so a
   * concurrent adjustment or reservation is evaluated before or after this, never beside it.
   * The warehouse must be registered or hold stock of the SKU (WAREHOUSE_NOT_FOUND).
   * Returns the threshold, or null when it was removed.
   */
  async set(
    ctx: RequestContext,
    skuId: string,
    input: { warehouseCode: string; threshold: number },
  ): Promise<StockThreshold | null> {
    const { warehouseCode, threshold: value } = validateThresholdInput(input);
    return this.uow.run(ctx, async (tx) => {
      const productId = await tx.products.productIdOfSku(skuId);
      if (!productId) throw notFound('Sku', skuId);
      const product = await requireProduct(tx, productId, true);
      const level = await tx.stock.getForUpdate(skuId, warehouseCode);
      if (!level && !(await tx.warehouses.get(warehouseCode)))
        throw new CatalogError(
          'NOT_FOUND',
          'WAREHOUSE_NOT_FOUND',
          `warehouse ${warehouseCode} is not registered and holds no stock of SKU ${skuId}`,
          { warehouseCode },
        );
      const [watched] = await tx.stockThresholds.lockWatched([{ skuId, warehouseCode }]);
      const available = level ? level.onHand - level.reserved : 0;
      const now = this.clock.now();
      const { threshold, crossing } = setThreshold(
        watched?.threshold ?? null,
        { skuId, warehouseCode },
        value,
        available,
        now,
      );
      if (threshold) await tx.stockThresholds.save(threshold);
      else if (watched) await tx.stockThresholds.remove(skuId, warehouseCode);
      if (crossing)
        emitCrossing(tx, crossing, {
          skuId,
          skuCode: product.skus.find((s) => s.id === skuId)?.code ?? '',
          productId: product.id,
          productTitle: product.title,
          warehouseCode,
          available,
          threshold: threshold?.threshold ?? watched!.threshold.threshold,
          at: now,
        });
      return threshold;
    });
  }

  /** One SKU's thresholds, or every SKU's (at most MAX_LISTED_THRESHOLDS), by SKU and warehouse. */
  list(ctx: RequestContext, skuId?: string): Promise<StockThreshold[]> {
    return this.uow.run(ctx, (tx) => tx.stockThresholds.list(skuId, MAX_LISTED_THRESHOLDS));
  }
}
