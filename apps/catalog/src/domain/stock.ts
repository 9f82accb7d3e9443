import { CatalogError, invalid } from './catalog-error';
import { validateWarehouseCode } from './warehouse';

export interface StockLevel {
  skuId: string;
  warehouseCode: string;
  onHand: number;
  /** Held by active reservations; on hand never drops below it. */
  reserved: number;
  updatedAt: Date;
}

export interface StockAdjustment {
  warehouseCode: string;
  delta: number;
  reason: string;
}

export const MAX_STOCK_DELTA = 1_000_000_000;

/** Any well-formed warehouse code will do: registering the warehouse is optional. */
export function validateAdjustment(a: StockAdjustment): StockAdjustment {
  const warehouseCode = validateWarehouseCode(a.warehouseCode, 'warehouse_code');
  if (!Number.isInteger(a.delta) || a.delta === 0 || Math.abs(a.delta) > MAX_STOCK_DELTA) {
    throw invalid(
      'STOCK_DELTA_INVALID',
      `delta must be a non-zero integer of magnitude at most ${MAX_STOCK_DELTA}, got ${a.delta}`,
    );
  }
  const reason = (a.reason ?? '').trim();
  if (reason.length > 200)
    throw invalid('STOCK_REASON_TOO_LONG', 'reason must be at most 200 characters');
  return { warehouseCode, delta: a.delta, reason };
}

/** On-hand stock never goes below zero, nor below what reservations hold. */
export function applyDelta(
  onHand: number,
  delta: number,
  skuId: string,
  warehouseCode: string,
  reserved = 0,
): number {
  const next = onHand + delta;
  if (next < reserved) {
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'STOCK_INSUFFICIENT',
      `SKU ${skuId} has ${onHand} on hand in ${warehouseCode}${reserved ? ` (${reserved} reserved)` : ''}; cannot remove ${-delta}`,
      {
        skuId,
        warehouseCode,
        onHand,
        reserved,
        delta,
      },
    );
  }
  return next;
}
