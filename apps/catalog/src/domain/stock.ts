import { CatalogError, invalid } from './catalog-error';

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

const WAREHOUSE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const MAX_STOCK_DELTA = 1_000_000_000;

export function validateAdjustment(a: StockAdjustment): StockAdjustment {
  if (!WAREHOUSE_RE.test(a.warehouseCode ?? '')) {
    throw invalid(
      'WAREHOUSE_CODE_INVALID',
      `warehouse code '${a.warehouseCode}' must be 1-32 letters, digits, '_' or '-'`,
    );
  }
  if (!Number.isInteger(a.delta) || a.delta === 0 || Math.abs(a.delta) > MAX_STOCK_DELTA) {
    throw invalid(
      'STOCK_DELTA_INVALID',
      `delta must be a non-zero integer of magnitude at most ${MAX_STOCK_DELTA}, got ${a.delta}`,
    );
  }
  const reason = (a.reason ?? '').trim();
  if (reason.length > 200)
    throw invalid('STOCK_REASON_TOO_LONG', 'reason must be at most 200 characters');
  return { warehouseCode: a.warehouseCode.toUpperCase(), delta: a.delta, reason };
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
