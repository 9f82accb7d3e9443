import { minorUnitExponent, type Money } from '@emporia/money';
import type { Coupon, CouponTemplate } from './coupon';
import type { Action } from './promotion-engine';

const HOUR = 3_600_000;

/**
 * The window of the expiry notice: coupons whose validity ends after `now` and at most `hours`
 * later. Null when notices are off (0 hours).
 */
export function expiryNoticeWindow(now: Date, hours: number): { from: Date; until: Date } | null {
  if (!(hours > 0)) return null;
  return { from: now, until: new Date(now.getTime() + hours * HOUR) };
}

/**
 * Whether an account should hear that this coupon expires soon: it holds it (claimed), has not
 * used it or put it on an order (not RESERVED or REDEEMED), and its validity ends within the
 * window. The sweep's query selects the same coupons; this is the rule in one place for tests
 * and for the fakes.
 */
export function isExpiringUnused(
  c: Coupon,
  t: CouponTemplate,
  window: { from: Date; until: Date },
): boolean {
  const to = t.validTo.getTime();
  return (
    c.ownerId !== null &&
    (c.status === 'CLAIMED' || c.status === 'ISSUED') &&
    to > window.from.getTime() &&
    to <= window.until.getTime()
  );
}

/** An amount for people: major units, no trailing zeros ("300", "9.9"); the currency unless CNY. */
function amount(m: Money): string {
  const exp = minorUnitExponent(m.currency);
  const fixed = (m.amountMinor / 10 ** exp).toFixed(exp);
  const major = exp > 0 ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
  return m.currency === 'CNY' ? major : `${major} ${m.currency}`;
}

/** 1000 basis points off is 9折, 1500 is 8.5折, 2500 is 7.5折. */
function zhe(basisPoints: number): string {
  if (basisPoints >= 10_000) return '免单';
  const tenths = (10_000 - basisPoints) / 1000;
  return `${Number(tenths.toFixed(2))}折`;
}

/**
 * What a coupon takes off, in a few words for a reminder (the Chinese shop's usual phrasing):
 * 减50, 9折 (最高减20), 满300减50 / 满500减100, 每满300减50, 买2送1, 包邮; a gift, a member
 * price or an unknown promotion falls back to the template's name.
 */
export function couponBenefit(action: Action | undefined, templateName: string): string {
  switch (action?.kind) {
    case 'AMOUNT_OFF':
      return `减${amount(action.amount)}`;
    case 'PERCENT_OFF':
      return action.cap
        ? `${zhe(action.basisPoints)} (最高减${amount(action.cap)})`
        : zhe(action.basisPoints);
    case 'TIERED_REDUCTION':
      return action.tiers.length
        ? [...action.tiers]
            .sort((a, b) => a.threshold.amountMinor - b.threshold.amountMinor)
            .map((t) => `满${amount(t.threshold)}减${amount(t.off)}`)
            .join(' / ')
        : templateName;
    case 'EVERY_REDUCTION':
      return `每满${amount(action.every)}减${amount(action.off)}${
        action.cap ? ` (最高减${amount(action.cap)})` : ''
      }`;
    case 'BUY_X_GET_Y':
      return `买${action.buy}送${action.free}`;
    case 'FREE_SHIPPING':
      return '包邮';
    default:
      return templateName;
  }
}
