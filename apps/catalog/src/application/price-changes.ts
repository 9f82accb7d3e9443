import type { RequestContext } from '@emporia/platform';
import {
  checkOriginalPrice,
  lowestPriceBefore,
  windowStart,
  type PriceChange,
} from '../domain/price-history';
import { samePrices, type Product } from '../domain/product';
import type { CatalogTx } from './ports';

/** Who made a change: the caller when the gateway named one, '' otherwise. */
export const actorOf = (ctx: RequestContext): string => ctx.caller?.id ?? '';

/** The lowest price of the SKU in the 30 days before `now` (price-history.ts), `current` included. */
export async function lowestPrice30d(
  tx: CatalogTx,
  skuId: string,
  current: PriceChange['price'] | null,
  now: Date,
): Promise<PriceChange['price'] | null> {
  return lowestPriceBefore(await tx.priceHistory.since(skuId, windowStart(now)), current, now);
}

/**
 * Checks the original-price rule for every SKU of `after` whose price or original price differs
 * from `before` (null: a new product), then records each such change in the price history.
 * Runs in the change's transaction, before its events, so a refused change writes nothing.
 */
export async function recordPriceChanges(
  tx: CatalogTx,
  before: Product | null,
  after: Product,
  now: Date,
  meta: { reason: string; reference: string; actorId: string },
): Promise<void> {
  const changes: PriceChange[] = [];
  for (const sku of after.skus) {
    const old = before?.skus.find((s) => s.id === sku.id) ?? null;
    if (old && samePrices(old, sku)) continue;
    if (sku.originalPrice) {
      const lowest = await lowestPrice30d(tx, sku.id, old?.price ?? null, now);
      checkOriginalPrice(sku.originalPrice, sku.price, lowest, 'original_price', sku.code);
    }
    changes.push({
      skuId: sku.id,
      price: sku.price,
      originalPrice: sku.originalPrice,
      previousPrice: old?.price ?? null,
      ...meta,
      requestId: null,
      at: now,
    });
  }
  for (const c of changes) await tx.priceHistory.append(c);
}
