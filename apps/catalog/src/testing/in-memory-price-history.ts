import type { PriceHistoryRepository } from '../application/ports';
import { CatalogError } from '../domain/catalog-error';
import type { PriceChange } from '../domain/price-history';

/** The store's parts the price history needs (InMemoryCatalogStore has them). */
interface PriceHistoryStore {
  priceHistory: PriceChange[];
  skuOwner(skuId: string): unknown;
}

/**
 * sku_price_history in memory: the foreign key to the SKU, the unique request id (as
 * REQUEST_ID_REUSED, like the SQL adapter), and the SQL's orders (time, then insert order).
 */
export class MemPriceHistory implements PriceHistoryRepository {
  constructor(private readonly s: PriceHistoryStore) {}
  async append(c: PriceChange) {
    if (!this.s.skuOwner(c.skuId)) throw new Error('violates foreign key sku_price_history_sku_id');
    if (c.requestId && this.s.priceHistory.some((x) => x.requestId === c.requestId))
      throw new CatalogError('FAILED_PRECONDITION', 'REQUEST_ID_REUSED', 'request id reused', {
        field: 'request_id',
      });
    this.s.priceHistory = [...this.s.priceHistory, c];
  }
  // stable sorts keep insert order (the SQL's id) among equal times
  since = async (skuId: string, from: Date) =>
    this.s.priceHistory
      .filter((c) => c.skuId === skuId && c.at.getTime() >= from.getTime())
      .sort((a, b) => a.at.getTime() - b.at.getTime());
  latest = async (skuId: string, limit: number) =>
    this.s.priceHistory
      .filter((c) => c.skuId === skuId)
      .reverse()
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, limit);
  byRequestId = async (requestId: string) =>
    this.s.priceHistory.find((c) => c.requestId === requestId) ?? null;
}
