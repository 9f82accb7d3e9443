import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { notFound } from '../domain/catalog-error';
import { touch } from '../domain/product';
import {
  applyDelta,
  type StockAdjustment,
  type StockLevel,
  validateAdjustment,
} from '../domain/stock';
import { CLOCK, type Clock, UNIT_OF_WORK, type UnitOfWork } from './ports';
import { requireProduct } from './product-rules';
import { loadProductView } from './product-view';
import { reevaluateThresholds } from './stock-threshold-watch';

@Injectable()
export class AdjustStockUseCase {
  constructor(
    @Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Changes on-hand stock of one SKU in one warehouse. The product row is locked first, so
   * adjustments of one product serialise; stock never goes negative; every adjustment is
   * recorded as a movement and a new product snapshot event, and the SKU's low-stock threshold
   * in that warehouse, if any, is re-evaluated in the same transaction.
   */
  execute(ctx: RequestContext, skuId: string, adjustment: StockAdjustment): Promise<StockLevel> {
    const a = validateAdjustment(adjustment);
    return this.uow.run(ctx, async (tx) => {
      const productId = await tx.products.productIdOfSku(skuId);
      if (!productId) throw notFound('Sku', skuId);
      const now = this.clock.now();
      const product = touch(await requireProduct(tx, productId, true), now);
      const current = await tx.stock.getForUpdate(skuId, a.warehouseCode);
      const level: StockLevel = {
        skuId,
        warehouseCode: a.warehouseCode,
        onHand: applyDelta(
          current?.onHand ?? 0,
          a.delta,
          skuId,
          a.warehouseCode,
          current?.reserved ?? 0,
        ),
        reserved: current?.reserved ?? 0,
        updatedAt: now,
      };
      await tx.stock.put(level, { delta: a.delta, reason: a.reason, traceId: ctx.traceId });
      // issue 18: a low-stock threshold crossed by this movement emits StockLow/StockRecovered
      await reevaluateThresholds(tx, [{ skuId, warehouseCode: a.warehouseCode }], now);
      await tx.products.saveTouched(product);
      tx.events.stockChanged(await loadProductView(tx, product), level, a.delta, a.reason);
      return level;
    });
  }
}
