import { Money } from '@emporia/money';
import {
  inForce,
  validateCampaign,
  validatePromotionRecord,
  type PromotionRecord,
} from './campaign';

const at = (iso: string) => new Date(iso);
const promo = (over: Partial<PromotionRecord> = {}): PromotionRecord => ({
  id: 'p1',
  name: '双11 满300减50',
  priority: 10,
  exclusive: false,
  scope: { kind: 'CART' },
  conditions: [],
  action: {
    kind: 'TIERED_REDUCTION',
    tiers: [{ threshold: Money.of(30000, 'CNY'), off: Money.of(5000, 'CNY') }],
  },
  campaignId: null,
  startsAt: null,
  endsAt: null,
  active: true,
  couponOnly: false,
  ...over,
});
const double11 = {
  id: 'c1',
  name: '双11',
  startsAt: at('2026-11-11T00:00:00+08:00'),
  endsAt: at('2026-11-12T00:00:00+08:00'),
  active: true,
};

describe('campaign schedule', () => {
  it.each([
    ['a second before the start', '2026-11-10T23:59:59+08:00', false],
    ['at the start', '2026-11-11T00:00:00+08:00', true],
    ['inside', '2026-11-11T12:00:00+08:00', true],
    ['at the end (exclusive)', '2026-11-12T00:00:00+08:00', false],
  ])('a campaign promotion %s is in force: %s', (_what, now, expected) => {
    expect(inForce(promo({ campaignId: 'c1' }), double11, at(now))).toBe(expected);
  });

  it('a paused campaign or promotion stops at once, and a missing campaign means not in force', () => {
    const now = at('2026-11-11T12:00:00+08:00');
    expect(inForce(promo({ campaignId: 'c1' }), { ...double11, active: false }, now)).toBe(false);
    expect(inForce(promo({ campaignId: 'c1', active: false }), double11, now)).toBe(false);
    expect(inForce(promo({ campaignId: 'c1' }), null, now)).toBe(false);
  });

  it('a promotion window narrows the campaign window', () => {
    const p = promo({ campaignId: 'c1', startsAt: at('2026-11-11T20:00:00+08:00') });
    expect(inForce(p, double11, at('2026-11-11T19:59:59+08:00'))).toBe(false);
    expect(inForce(p, double11, at('2026-11-11T20:00:00+08:00'))).toBe(true);
  });

  it('refuses windows that end before they start and coupon-only promotions naming a code', () => {
    expect(() => validateCampaign({ ...double11, endsAt: double11.startsAt })).toThrow(
      expect.objectContaining({ code: 'CAMPAIGN_INVALID' }),
    );
    expect(() =>
      validatePromotionRecord(promo({ startsAt: at('2026-01-02'), endsAt: at('2026-01-01') })),
    ).toThrow(expect.objectContaining({ code: 'PROMOTION_INVALID' }));
    expect(() =>
      validatePromotionRecord(
        promo({ couponOnly: true, conditions: [{ kind: 'COUPON', code: 'X' }] }),
      ),
    ).toThrow(expect.objectContaining({ code: 'PROMOTION_INVALID' }));
  });
});
