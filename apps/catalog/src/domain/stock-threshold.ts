import { invalid } from './catalog-error';
import { validateWarehouseCode } from './warehouse';

/**
 * A low-stock threshold of one SKU in one warehouse. The SKU is low there while its available
 * stock (on hand − reserved) is at or under the threshold; `low` and `lowSince` remember the
 * state last evaluated, so a crossing is noticed once, not on every movement.
 */
export interface StockThreshold {
  skuId: string;
  warehouseCode: string;
  /** > 0; a threshold of 0 is no threshold (removed). */
  threshold: number;
  low: boolean;
  /** When it became low; null while not low. */
  lowSince: Date | null;
  updatedAt: Date;
}

/** A state change worth telling: StockLow or StockRecovered. */
export type StockCrossing = 'LOW' | 'RECOVERED';

export const MAX_STOCK_THRESHOLD = 1_000_000_000;

/** The request of SetStockThreshold, checked: 0 removes, else 1..MAX_STOCK_THRESHOLD. */
export function validateThresholdInput(input: { warehouseCode: string; threshold: number }): {
  warehouseCode: string;
  threshold: number;
} {
  const warehouseCode = validateWarehouseCode(input.warehouseCode, 'warehouse_code');
  const t = input.threshold;
  if (!Number.isSafeInteger(t) || t < 0 || t > MAX_STOCK_THRESHOLD)
    throw invalid(
      'STOCK_THRESHOLD_INVALID',
      `threshold must be a whole number from 0 (remove) to ${MAX_STOCK_THRESHOLD}, got ${t}`,
      { field: 'threshold' },
    );
  return { warehouseCode, threshold: t };
}

/** Low while available ≤ threshold (a threshold ≤ 0 is never low). */
export const isLow = (available: number, threshold: number): boolean =>
  threshold > 0 && available <= threshold;

/**
 * Re-evaluates a threshold against the available stock now. Only a change of state is a
 * crossing; staying low (or staying fine) changes nothing, so repeated movements stay quiet.
 */
export function evaluateThreshold(
  t: StockThreshold,
  available: number,
  now: Date,
): { threshold: StockThreshold; crossing: StockCrossing | null } {
  const low = isLow(available, t.threshold);
  if (low === t.low) return { threshold: t, crossing: null };
  return {
    threshold: { ...t, low, lowSince: low ? now : null, updatedAt: now },
    crossing: low ? 'LOW' : 'RECOVERED',
  };
}

/**
 * Sets, changes or removes (value 0) a threshold and evaluates it at once: a new or raised
 * threshold can make the SKU low, a lowered or removed one can make it recover. A SKU that stays
 * low keeps its `lowSince`.
 */
export function setThreshold(
  current: StockThreshold | null,
  key: { skuId: string; warehouseCode: string },
  value: number,
  available: number,
  now: Date,
): { threshold: StockThreshold | null; crossing: StockCrossing | null } {
  if (value === 0) return { threshold: null, crossing: current?.low ? 'RECOVERED' : null };
  const base: StockThreshold = current
    ? { ...current, threshold: value, updatedAt: now }
    : { ...key, threshold: value, low: false, lowSince: null, updatedAt: now };
  const { threshold, crossing } = evaluateThreshold(base, available, now);
  return { threshold: { ...threshold, updatedAt: now }, crossing };
}
