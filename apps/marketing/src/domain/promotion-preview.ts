import { Money } from '@emporia/money';
import { inForce, validatePromotionRecord, type Campaign, type PromotionRecord } from './campaign';
import { priceCheckout } from './checkout-pricing';
import { MarketingError } from './marketing-error';
import type { CartLine, PricingResult } from './promotion-engine';

/** A sample cart has at most this many lines, each of at most this many units (a cart's). */
export const MAX_SAMPLE_LINES = 100;
export const MAX_SAMPLE_QUANTITY = 999;

/** Who the draft's conditions see buying (MEMBER_TIER, FIRST_ORDER, CHANNEL), and when. */
export interface SampleBuyer {
  memberTier: string;
  firstOrder: boolean;
  channel: string;
  now: Date;
}

export interface PromotionPreview {
  priced: PricingResult;
  /** Whether the draft, saved as it is, would be in force at `now` (active, in its windows). */
  inForce: boolean;
}

/**
 * An operator's draft promotion priced on a sample cart: validated exactly as a promotion to be
 * saved is, then priced by `priceCheckout` — PriceCart's pricing — with the draft alone and as if
 * in force (its own `active`, window and campaign only decide `inForce`); a coupon-only draft
 * applies as if its coupon were given. `campaign` is the draft's campaign (checked to exist by
 * the caller), null when it has none.
 */
export function previewPromotion(
  draft: PromotionRecord,
  lines: readonly CartLine[],
  buyer: SampleBuyer,
  campaign: Campaign | null,
): PromotionPreview {
  validatePromotionRecord(draft);
  if (lines.length > MAX_SAMPLE_LINES)
    throw new MarketingError(
      'INVALID_ARGUMENT',
      'CART_TOO_LARGE',
      `a sample cart has at most ${MAX_SAMPLE_LINES} lines`,
    );
  lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_SAMPLE_QUANTITY)
      throw new MarketingError(
        'INVALID_ARGUMENT',
        'QUANTITY_INVALID',
        `lines[${i}].quantity is a whole number from 1 to ${MAX_SAMPLE_QUANTITY}`,
      );
  });
  const priced = priceCheckout(
    lines,
    [draft],
    {
      memberTier: buyer.memberTier,
      firstOrder: buyer.firstOrder,
      channel: buyer.channel,
      couponCodes: [],
      now: buyer.now,
      shipping: Money.zero(lines[0]?.unitPrice.currency ?? 'CNY'),
    },
    [],
  );
  return { priced, inForce: inForce(draft, campaign, buyer.now) };
}
