import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '@emporia/platform';
import { validateWarehouseCode } from '../domain/warehouse';
import { type LowStockCursor, type LowStockItem, UNIT_OF_WORK, type UnitOfWork } from './ports';

/** The operators' low-stock list: every (SKU, warehouse) low now, longest low first. */
@Injectable()
export class LowStockQueries {
  constructor(@Inject(UNIT_OF_WORK) private readonly uow: UnitOfWork) {}

  /** A keyset page (`limit` + 1 rows tells whether there is a next one); `warehouseCode` filters. */
  async list(
    ctx: RequestContext,
    opts: { warehouseCode?: string; after?: LowStockCursor; limit: number },
  ): Promise<{ items: LowStockItem[]; next?: LowStockCursor }> {
    const warehouseCode = opts.warehouseCode
      ? validateWarehouseCode(opts.warehouseCode, 'warehouse_code')
      : undefined;
    const rows = await this.uow.run(ctx, (tx) =>
      tx.stockThresholds.lowStock({
        ...(warehouseCode ? { warehouseCode } : {}),
        ...(opts.after ? { after: opts.after } : {}),
        limit: opts.limit + 1,
      }),
    );
    const items = rows.slice(0, opts.limit);
    const last = items[items.length - 1];
    return rows.length > opts.limit
      ? {
          items,
          next: { lowSince: last.lowSince, skuId: last.skuId, warehouseCode: last.warehouseCode },
        }
      : { items };
  }
}
