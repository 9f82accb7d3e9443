import { Money } from '@emporia/money';
import type { Campaign, PromotionRecord } from './campaign';
import { priceCheckout } from './checkout-pricing';
import type { CartLine } from './promotion-engine';
import { previewPromotion, type SampleBuyer } from './promotion-preview';

const cny = (yuan: number) => Money.of(Math.round(yuan * 100), 'CNY');
const line = (yuan: number, quantity = 1, over: Partial<CartLine> = {}): CartLine => ({
  skuId: '',
  productId: '',
  categoryPathIds: [],
  quantity,
  unitPrice: cny(yuan),
  ...over,
});
const buyer: SampleBuyer = {
  memberTier: '',
  firstOrder: false,
  channel: '',
  now: new Date('2026-11-01T00:00:00Z'),
};
/** 满300减50, and with a second tier 满500减100. */
const tiered = (
  tiers: [number, number][],
  over: Partial<PromotionRecord> = {},
): PromotionRecord => ({
  id: 'draft',
  name: tiers.map(([t, o]) => `满${t}减${o}`).join(', '),
  priority: 0,
  exclusive: false,
  scope: { kind: 'CART' },
  conditions: [],
  action: {
    kind: 'TIERED_REDUCTION',
    tiers: tiers.map(([t, o]) => ({ threshold: cny(t), off: cny(o) })),
  },
  campaignId: null,
  startsAt: null,
  endsAt: null,
  active: true,
  couponOnly: false,
  ...over,
});
const totals = (p: ReturnType<typeof previewPromotion>) => ({
  subtotal: p.priced.subtotal.toDecimalString(),
  discount: p.priced.discount.toDecimalString(),
  total: p.priced.total.toDecimalString(),
  applied: p.priced.applied.map((a) => [a.name, a.discount.toDecimalString()]),
});

/**
 * The console's live preview of a draft promotion: PriceCart's pricing (`priceCheckout`) with the
 * draft alone, as if in force, on a sample cart; refused as saving it would be.
 */
describe('previewing a draft promotion', () => {
  const s300 = tiered([[300, 50]]);

  it('满300减50: a 320.00 cart pays 270.00, a 280.00 cart gets nothing off', () => {
    expect(totals(previewPromotion(s300, [line(200), line(120)], buyer, null))).toEqual({
      subtotal: '320.00',
      discount: '50.00',
      total: '270.00',
      applied: [['满300减50', '50.00']],
    });
    expect(totals(previewPromotion(s300, [line(140, 2)], buyer, null))).toEqual({
      subtotal: '280.00',
      discount: '0.00',
      total: '280.00',
      applied: [],
    });
    // the threshold itself is reached
    expect(totals(previewPromotion(s300, [line(300)], buyer, null)).total).toBe('250.00');
  });

  it('满300减50, 满500减100: the highest tier reached applies, once', () => {
    const both = tiered([
      [300, 50],
      [500, 100],
    ]);
    const total = (...yuan: number[]) =>
      totals(
        previewPromotion(
          both,
          yuan.map((y) => line(y)),
          buyer,
          null,
        ),
      );
    expect(total(299.99)).toMatchObject({ discount: '0.00', total: '299.99' });
    expect(total(320)).toMatchObject({ discount: '50.00', total: '270.00' });
    expect(total(499.99)).toMatchObject({ discount: '50.00', total: '449.99' });
    expect(total(300, 200)).toMatchObject({ discount: '100.00', total: '400.00' });
    expect(total(1200)).toMatchObject({
      discount: '100.00',
      total: '1100.00',
      applied: [['满300减50, 满500减100', '100.00']],
    });
    // the tiers' order in the draft does not matter
    const reversed = tiered([
      [500, 100],
      [300, 50],
    ]);
    expect(totals(previewPromotion(reversed, [line(520)], buyer, null)).total).toBe('420.00');
  });

  it('prices exactly as PriceCart does: the same function, lines and shares included', () => {
    const draft = tiered([[300, 50]], { scope: { kind: 'SKUS', skuIds: ['sku-a', 'sku-b'] } });
    const lines = [
      line(99.99, 2, { skuId: 'sku-a' }),
      line(150, 1, { skuId: 'sku-b' }),
      line(80, 1, { skuId: 'sku-c' }),
    ];
    const preview = previewPromotion(draft, lines, buyer, null);
    expect(preview.priced).toEqual(
      priceCheckout(lines, [draft], { ...buyer, couponCodes: [], shipping: Money.zero('CNY') }, []),
    );
    // only the scoped lines share the 50.00, in proportion; the third pays its price
    expect(preview.priced.lines.map((l) => l.discount.toDecimalString())).toEqual([
      '28.57',
      '21.43',
      '0.00',
    ]);
    expect(preview.priced.total.toDecimalString()).toBe('379.98');
  });

  it('reads category scopes from the line’s category, conditions from the sample buyer', () => {
    const byCategory = tiered([[100, 10]], {
      scope: { kind: 'CATEGORIES', categoryIds: ['tea'] },
      conditions: [{ kind: 'MEMBER_TIER', tiers: ['GOLD'] }],
    });
    const lines = [line(120, 1, { categoryPathIds: ['tea'] }), line(500)];
    expect(totals(previewPromotion(byCategory, lines, buyer, null)).discount).toBe('0.00');
    const gold = { ...buyer, memberTier: 'GOLD' };
    expect(totals(previewPromotion(byCategory, lines, gold, null))).toMatchObject({
      discount: '10.00',
      total: '610.00',
    });
  });

  it('applies a draft that is not in force, and says it is not', () => {
    const campaign: Campaign = {
      id: 'c-11',
      name: 'Double 11',
      startsAt: new Date('2026-11-11T00:00:00+08:00'),
      endsAt: new Date('2026-11-12T00:00:00+08:00'),
      active: true,
    };
    const cases: [PromotionRecord, Campaign | null, boolean][] = [
      [s300, null, true],
      [{ ...s300, active: false }, null, false],
      [{ ...s300, campaignId: 'c-11' }, campaign, false],
      [{ ...s300, couponOnly: true }, null, true],
    ];
    for (const [draft, c, inForce] of cases) {
      const p = previewPromotion(draft, [line(320)], buyer, c);
      expect({ inForce: p.inForce, total: p.priced.total.toDecimalString() }).toEqual({
        inForce,
        total: '270.00',
      });
    }
    const on11 = { ...buyer, now: new Date('2026-11-11T12:00:00+08:00') };
    expect(
      previewPromotion({ ...s300, campaignId: 'c-11' }, [line(320)], on11, campaign).inForce,
    ).toBe(true);
  });

  it.each<[string, string, PromotionRecord, CartLine[]]>([
    [
      'a tier taking off more than its threshold',
      'PROMOTION_INVALID',
      tiered([[300, 350]]),
      [line(320)],
    ],
    ['a tiered reduction without tiers', 'PROMOTION_INVALID', tiered([]), [line(320)]],
    [
      'a draft without a name',
      'PROMOTION_INVALID',
      tiered([[300, 50]], { name: ' ' }),
      [line(320)],
    ],
    ['an empty cart', 'CART_EMPTY', s300, []],
    ['0 units', 'QUANTITY_INVALID', s300, [line(320, 0)]],
    ['1000 units', 'QUANTITY_INVALID', s300, [line(1, 1000)]],
    ['101 lines', 'CART_TOO_LARGE', s300, Array.from({ length: 101 }, () => line(1))],
    [
      'two currencies',
      'CART_MIXED_CURRENCY',
      s300,
      [line(320), { ...line(1), unitPrice: Money.of(100, 'HKD') }],
    ],
  ])('refuses %s: INVALID_ARGUMENT %s', (_what, code, draft, lines) => {
    expect(() => previewPromotion(draft, lines, buyer, null)).toThrow(
      expect.objectContaining({ kind: 'INVALID_ARGUMENT', code }),
    );
  });
});
