import { Money } from '@emporia/money';
import { MarketingError } from './marketing-error';
import {
  priceCart,
  type CartLine,
  type PricingContext,
  type PricingResult,
  type Promotion,
} from './promotion-engine';

/** A line sold at a price of its own (flash sale, group deal): no other promotion touches it. */
export interface SpecialPrice {
  skuId: string;
  unitPrice: Money;
  /** The line must be exactly this many units (what the buyer won, or the deal's unit). */
  quantity: number;
  /** Shown to the customer, e.g. "Flash sale". */
  label: string;
}

/**
 * Prices a checkout: lines with a special price are priced at it (the difference to the list
 * price is their discount, never negative), every other line goes through the promotion engine.
 * The result keeps the cart's line order and adds up exactly.
 */
export function priceCheckout(
  lines: readonly CartLine[],
  promotions: readonly Promotion[],
  ctx: PricingContext,
  specials: readonly SpecialPrice[],
): PricingResult {
  if (lines.length === 0)
    throw new MarketingError('INVALID_ARGUMENT', 'CART_EMPTY', 'the cart is empty');
  const currency = lines[0].unitPrice.currency;
  for (const s of specials) {
    const line = lines.find((l) => l.skuId === s.skuId);
    if (!line)
      throw new MarketingError(
        'FAILED_PRECONDITION',
        'SPECIAL_PRICE_LINE_MISSING',
        `${s.label}: the cart has no line for SKU ${s.skuId}`,
      );
    if (line.quantity !== s.quantity)
      throw new MarketingError(
        'FAILED_PRECONDITION',
        'SPECIAL_PRICE_QUANTITY_MISMATCH',
        `${s.label}: the cart line for SKU ${s.skuId} must be ${s.quantity} unit(s), not ${line.quantity}`,
      );
    if (s.unitPrice.currency !== currency)
      throw new MarketingError(
        'FAILED_PRECONDITION',
        'SPECIAL_PRICE_CURRENCY_MISMATCH',
        `${s.label}: priced in ${s.unitPrice.currency}, the cart in ${currency}`,
      );
  }
  if (new Set(specials.map((s) => s.skuId)).size !== specials.length)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'SPECIAL_PRICE_CONFLICT',
      'one SKU cannot be both a flash-sale and a group-buy line',
    );
  const special = new Map(specials.map((s) => [s.skuId, s]));
  const normal = lines.filter((l) => !special.has(l.skuId));
  const engine = normal.length > 0 ? priceCart(normal, promotions, ctx) : undefined;
  const explanation: PricingResult['applied'] = [];
  const priced = lines.map((l) => {
    const s = special.get(l.skuId);
    if (!s) return engine!.lines[normal.indexOf(l)];
    const gross = l.unitPrice.times(l.quantity);
    const total = s.unitPrice.times(l.quantity).min(gross);
    const discount = gross.subtract(total);
    explanation.push({
      promotionId: s.label,
      name: s.label,
      discount,
      explanation: `${s.label}: ${l.quantity} × ${s.unitPrice.toDecimalString()} ${currency}`,
    });
    return { skuId: l.skuId, quantity: l.quantity, unitPrice: l.unitPrice, discount, total };
  });
  const subtotal = Money.sum(
    lines.map((l) => l.unitPrice.times(l.quantity)),
    currency,
  );
  const discount = Money.sum(
    priced.map((l) => l.discount),
    currency,
  );
  const shipping = engine ? engine.shipping : ctx.shipping;
  return {
    lines: priced,
    subtotal,
    discount,
    shipping,
    total: subtotal.subtract(discount).add(shipping),
    applied: [...explanation, ...(engine?.applied ?? [])],
    gifts: engine?.gifts ?? [],
    couponsUsed: engine?.couponsUsed ?? [],
  };
}
