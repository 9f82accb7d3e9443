import { Money } from '@emporia/money';
import type { Coupon, CouponTemplate } from './coupon';
import { couponBenefit, expiryNoticeWindow, isExpiringUnused } from './coupon-expiry';

const NOW = new Date('2026-11-25T10:00:00Z');
const HOUR = 3_600_000;
const cny = (yuan: number) => Money.of(yuan * 100, 'CNY');
const template = (validTo: Date): CouponTemplate => ({
  id: 't',
  name: '双11 券',
  promotionId: 'p',
  totalLimit: 10,
  perUserLimit: 1,
  validFrom: new Date(NOW.getTime() - 24 * HOUR),
  validTo,
});
const coupon = (over: Partial<Coupon> = {}): Coupon => ({
  code: 'AAAAA-AAAAA',
  templateId: 't',
  ownerId: 'acc-1',
  status: 'CLAIMED',
  orderId: null,
  ...over,
});

describe('coupon expiry notice', () => {
  it('covers the next N hours after now, and nothing when N is 0', () => {
    expect(expiryNoticeWindow(NOW, 24)).toEqual({
      from: NOW,
      until: new Date(NOW.getTime() + 24 * HOUR),
    });
    expect(expiryNoticeWindow(NOW, 0)).toBeNull();
  });

  it('is due for a held, unused coupon expiring inside the window only', () => {
    const w = expiryNoticeWindow(NOW, 24)!;
    const tomorrow = template(new Date(NOW.getTime() + 20 * HOUR));
    expect(isExpiringUnused(coupon(), tomorrow, w)).toBe(true);
    // exactly at the window's end is inside; one millisecond past it is not
    expect(isExpiringUnused(coupon(), template(w.until), w)).toBe(true);
    expect(isExpiringUnused(coupon(), template(new Date(w.until.getTime() + 1)), w)).toBe(false);
    // already expired, or expiring next week
    expect(isExpiringUnused(coupon(), template(NOW), w)).toBe(false);
    expect(isExpiringUnused(coupon(), template(new Date(NOW.getTime() + 7 * 24 * HOUR)), w)).toBe(
      false,
    );
    // on an order, used, or held by nobody
    expect(isExpiringUnused(coupon({ status: 'RESERVED', orderId: 'o' }), tomorrow, w)).toBe(false);
    expect(isExpiringUnused(coupon({ status: 'REDEEMED', orderId: 'o' }), tomorrow, w)).toBe(false);
    expect(isExpiringUnused(coupon({ status: 'ISSUED', ownerId: null }), tomorrow, w)).toBe(false);
  });

  it.each<[string, Parameters<typeof couponBenefit>[0], string]>([
    ['amount off', { kind: 'AMOUNT_OFF', amount: cny(50) }, '减50'],
    ['amount off in cents', { kind: 'AMOUNT_OFF', amount: Money.of(990, 'CNY') }, '减9.9'],
    ['another currency', { kind: 'AMOUNT_OFF', amount: Money.of(500, 'USD') }, '减5 USD'],
    ['no minor unit', { kind: 'AMOUNT_OFF', amount: Money.of(500, 'JPY') }, '减500 JPY'],
    ['10% off', { kind: 'PERCENT_OFF', basisPoints: 1000 }, '9折'],
    [
      '15% off capped',
      { kind: 'PERCENT_OFF', basisPoints: 1500, cap: cny(20) },
      '8.5折 (最高减20)',
    ],
    ['100% off', { kind: 'PERCENT_OFF', basisPoints: 10_000 }, '免单'],
    [
      'tiers, lowest first',
      {
        kind: 'TIERED_REDUCTION',
        tiers: [
          { threshold: cny(500), off: cny(100) },
          { threshold: cny(300), off: cny(50) },
        ],
      },
      '满300减50 / 满500减100',
    ],
    ['every', { kind: 'EVERY_REDUCTION', every: cny(300), off: cny(30) }, '每满300减30'],
    [
      'every, capped',
      { kind: 'EVERY_REDUCTION', every: cny(100), off: cny(10), cap: cny(50) },
      '每满100减10 (最高减50)',
    ],
    ['buy x get y', { kind: 'BUY_X_GET_Y', buy: 2, free: 1 }, '买2送1'],
    ['free shipping', { kind: 'FREE_SHIPPING' }, '包邮'],
    ['a gift', { kind: 'GIFT', skuId: 's', quantity: 1 }, '双11 券'],
    ['a member price', { kind: 'MEMBER_PRICE', unitPrice: cny(9) }, '双11 券'],
    ['an unknown promotion', undefined, '双11 券'],
  ])('describes %s as %s', (_what, action, text) => {
    expect(couponBenefit(action, '双11 券')).toBe(text);
  });
});
