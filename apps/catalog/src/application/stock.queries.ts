import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { notFound } from '../domain/catalog-error';
import type { StockLevel } from '../domain/stock';
import { UNIT_OF_WORK, type UnitOfWork } from './ports';

@Injectable()
export class StockQueries {
  constructor(@Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork) {}

  /** Stock per warehouse, with totals on hand and available (on hand minus reserved). */
  levels(
    ctx: RequestContext,
    skuId: string,
  ): Promise<{ levels: StockLevel[]; total: number; totalAvailable: number }> {
    return this.uow.run(ctx, async (tx) => {
      if (!(await tx.products.productIdOfSku(skuId))) throw notFound('Sku', skuId);
      const levels = await tx.stock.levels(skuId);
      return {
        levels,
        total: levels.reduce((a, l) => a + l.onHand, 0),
        totalAvailable: levels.reduce((a, l) => a + l.onHand - l.reserved, 0),
      };
    });
  }
}
