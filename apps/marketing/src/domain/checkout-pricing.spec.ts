import { Money } from '@emporia/money';
import { priceCheckout } from './checkout-pricing';
import type { CartLine, PricingContext, Promotion } from './promotion-engine';

const cny = (n: number) => Money.of(n, 'CNY');
const line = (skuId: string, unit: number, quantity: number): CartLine => ({
  skuId,
  productId: `p-${skuId}`,
  categoryPathIds: [],
  quantity,
  unitPrice: cny(unit),
});
const ctx: PricingContext = {
  memberTier: '',
  firstOrder: false,
  channel: 'app',
  couponCodes: [],
  now: new Date('2026-11-11T12:00:00Z'),
  shipping: cny(0),
};
const tenOff: Promotion = {
  id: 'ten-off',
  name: '满100减10',
  priority: 1,
  exclusive: false,
  scope: { kind: 'CART' },
  conditions: [{ kind: 'MIN_SUBTOTAL', amount: cny(10000) }],
  action: { kind: 'AMOUNT_OFF', amount: cny(1000) },
};

describe('priceCheckout: special prices beside the promotion engine', () => {
  it('prices the flash line at its sale price and keeps it out of promotions', () => {
    const r = priceCheckout(
      [line('flash', 19900, 1), line('a', 6000, 1), line('b', 5000, 1)],
      [tenOff],
      ctx,
      [{ skuId: 'flash', unitPrice: cny(9900), quantity: 1, label: 'Flash sale' }],
    );
    // the flash line does not count towards 满100: a + b = 110.00 does
    expect(r.lines.map((l) => [l.skuId, l.discount.amountMinor, l.total.amountMinor])).toEqual([
      ['flash', 10000, 9900],
      ['a', 545, 5455],
      ['b', 455, 4545],
    ]);
    expect(r.discount.amountMinor).toBe(11000);
    expect(r.total.amountMinor).toBe(9900 + 5455 + 4545);
    expect(r.total.amountMinor).toBe(r.subtotal.amountMinor - r.discount.amountMinor);
    expect(r.applied.map((a) => a.explanation)).toEqual([
      'Flash sale: 1 × 99.00 CNY',
      '满100减10: −10.00 CNY',
    ]);
  });

  it('a cart of only special lines is priced without the engine', () => {
    const r = priceCheckout([line('g', 5000, 1)], [tenOff], ctx, [
      { skuId: 'g', unitPrice: cny(2990), quantity: 1, label: 'Group buy' },
    ]);
    expect(r.total.amountMinor).toBe(2990);
    expect(r.discount.amountMinor).toBe(2010);
  });

  it('never charges more than the list price', () => {
    const r = priceCheckout([line('g', 1000, 2)], [], ctx, [
      { skuId: 'g', unitPrice: cny(1500), quantity: 2, label: 'Group buy' },
    ]);
    expect(r.total.amountMinor).toBe(2000);
    expect(r.discount.amountMinor).toBe(0);
  });

  it.each([
    ['the line is missing', [line('a', 100, 1)], 'SPECIAL_PRICE_LINE_MISSING'],
    [
      'the quantity differs from what was won',
      [line('flash', 100, 3)],
      'SPECIAL_PRICE_QUANTITY_MISMATCH',
    ],
  ])('refuses a special price when %s', (_what, lines, code) => {
    expect(() =>
      priceCheckout(lines, [], ctx, [
        { skuId: 'flash', unitPrice: cny(50), quantity: 1, label: 'Flash sale' },
      ]),
    ).toThrow(expect.objectContaining({ code }));
  });

  it('refuses one SKU as both a flash and a group line', () => {
    expect(() =>
      priceCheckout([line('x', 100, 1)], [], ctx, [
        { skuId: 'x', unitPrice: cny(50), quantity: 1, label: 'Flash sale' },
        { skuId: 'x', unitPrice: cny(60), quantity: 1, label: 'Group buy' },
      ]),
    ).toThrow(expect.objectContaining({ code: 'SPECIAL_PRICE_CONFLICT' }));
  });
});
