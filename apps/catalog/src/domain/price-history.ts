import type { Money } from '@emporia/money';
import { CatalogError, invalid } from './catalog-error';

/** How far back the original-price rule looks. */
export const ORIGINAL_PRICE_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** One change of a SKU's price (or of its displayed original price), as the history keeps it. */
export interface PriceChange {
  skuId: string;
  price: Money;
  /** The displayed original price after the change; null for none. */
  originalPrice: Money | null;
  /** The price before the change; null when the SKU was created by it. */
  previousPrice: Money | null;
  /** create, update, price-suggestion, manual, backfill, ... */
  reason: string;
  reference: string;
  actorId: string;
  /** SetSkuPrice's request id (idempotency); null for other routes. */
  requestId: string | null;
  at: Date;
}

/** The start of the original-price window for a change made at `now`. */
export function windowStart(now: Date, days = ORIGINAL_PRICE_WINDOW_DAYS): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/**
 * The lowest price the SKU had during the previous 30 days, up to (not including) a change made
 * at `now`: the price it has now (`current`, in effect until the change) and every price in
 * effect at some moment of [now − 30 days, now) — each change inside the window brings its own
 * price and the price before it (`previousPrice`, in effect until that change, so also inside the
 * window). Changes outside the window are ignored. The price about to be set is NOT included:
 * the rule bounds the reference a reduction is shown against, and a new price is never its own
 * reference (including it would refuse every original price above the price).
 * Null when the SKU had no price in the window (a SKU being created).
 */
export function lowestPriceBefore(
  changes: readonly PriceChange[],
  current: Money | null,
  now: Date,
): Money | null {
  const from = windowStart(now).getTime();
  let lowest: Money | null = current;
  const consider = (m: Money | null) => {
    if (m && (!lowest || m.amountMinor < lowest.amountMinor)) lowest = m;
  };
  for (const c of changes) {
    const t = c.at.getTime();
    if (t < from || t > now.getTime()) continue;
    consider(c.price);
    consider(c.previousPrice);
  }
  return lowest;
}

/**
 * The original price on its own: INVALID_ARGUMENT ORIGINAL_PRICE_CURRENCY (another currency than
 * the price's) or ORIGINAL_PRICE_NOT_ABOVE_PRICE (not greater than the price: a crossed-out
 * price at or below the price claims no reduction). `details.field` names it.
 */
export function checkOriginalAbovePrice(
  original: Money,
  price: Money,
  field = 'original_price',
  sku?: string,
): void {
  const where = sku ? { field, sku } : { field };
  if (original.currency !== price.currency)
    throw invalid(
      'ORIGINAL_PRICE_CURRENCY',
      `original price is in ${original.currency}, the price in ${price.currency}`,
      where,
    );
  if (original.amountMinor <= price.amountMinor)
    throw invalid(
      'ORIGINAL_PRICE_NOT_ABOVE_PRICE',
      `original price ${original.amountMinor} must be greater than the price ${price.amountMinor}`,
      where,
    );
}

/**
 * The original-price rule for a SKU priced `price` showing `original` (null: none): first
 * `checkOriginalAbovePrice`, then FAILED_PRECONDITION ORIGINAL_PRICE_TOO_HIGH when above
 * `lowest` (lowestPriceBefore), with the allowed maximum in details (`max_minor`, null when no
 * price was in effect in the window, i.e. a SKU being created can show none).
 */
export function checkOriginalPrice(
  original: Money | null,
  price: Money,
  lowest: Money | null,
  field = 'original_price',
  sku?: string,
): void {
  if (!original) return;
  checkOriginalAbovePrice(original, price, field, sku);
  if (!lowest || original.amountMinor > lowest.amountMinor)
    throw new CatalogError(
      'FAILED_PRECONDITION',
      'ORIGINAL_PRICE_TOO_HIGH',
      lowest
        ? `original price ${original.amountMinor} is above ${lowest.amountMinor}, the lowest price of the previous ${ORIGINAL_PRICE_WINDOW_DAYS} days`
        : `no price was in effect in the previous ${ORIGINAL_PRICE_WINDOW_DAYS} days, so no original price can be shown`,
      {
        field,
        ...(sku ? { sku } : {}),
        max_minor: lowest ? lowest.amountMinor : null,
        currency: price.currency,
      },
    );
}
