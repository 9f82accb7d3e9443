import { evaluateThreshold, type StockCrossing } from '../domain/stock-threshold';
import type { CatalogTx, StockCrossingEvent, WatchedStock } from './ports';

/** Records a crossing as StockLow / StockRecovered in the transaction's outbox. */
export function emitCrossing(tx: CatalogTx, crossing: StockCrossing, e: StockCrossingEvent): void {
  if (crossing === 'LOW') tx.events.stockLow(e);
  else tx.events.stockRecovered(e);
}

const crossingEvent = (w: WatchedStock, at: Date): StockCrossingEvent => ({
  skuId: w.threshold.skuId,
  skuCode: w.skuCode,
  productId: w.productId,
  productTitle: w.productTitle,
  warehouseCode: w.threshold.warehouseCode,
  available: w.available,
  threshold: w.threshold.threshold,
  at,
});

/**
 * Re-evaluates the thresholds of the (SKU, warehouse) pairs a stock movement touched, in the
 * movement's transaction and after it: each threshold whose state flips is saved and emits one
 * event; one that stays low or stays fine writes nothing. The caller holds the stock rows' locks,
 * and the threshold rows are locked here, so two concurrent movements crossing together are
 * evaluated one after the other and only the first sees a flip.
 */
export async function reevaluateThresholds(
  tx: CatalogTx,
  keys: { skuId: string; warehouseCode: string }[],
  now: Date,
): Promise<StockCrossing[]> {
  if (keys.length === 0) return [];
  const crossings: StockCrossing[] = [];
  for (const w of await tx.stockThresholds.lockWatched(keys)) {
    const { threshold, crossing } = evaluateThreshold(w.threshold, w.available, now);
    if (!crossing) continue;
    await tx.stockThresholds.save(threshold);
    emitCrossing(tx, crossing, crossingEvent({ ...w, threshold }, now));
    crossings.push(crossing);
  }
  return crossings;
}
