import { Money } from '@emporia/money';
import {
  type CartLine,
  type Condition,
  type PricingContext,
  type Promotion,
  priceCart,
  spread,
  validatePromotion,
} from './promotion-engine';

const cny = (n: number) => Money.of(n, 'CNY');
const line = (
  skuId: string,
  quantity: number,
  unit: number,
  categories: string[] = ['c-all'],
): CartLine => ({
  skuId,
  productId: `p-${skuId}`,
  categoryPathIds: categories,
  quantity,
  unitPrice: cny(unit),
});
const ctx = (over: Partial<PricingContext> = {}): PricingContext => ({
  memberTier: 'MEMBER',
  firstOrder: false,
  channel: 'app',
  couponCodes: [],
  now: new Date('2026-11-11T12:00:00Z'),
  shipping: cny(1000),
  ...over,
});
let n = 0;
const promo = (
  action: Promotion['action'],
  over: Partial<Promotion> = {},
  conditions: Condition[] = [],
): Promotion =>
  validatePromotion({
    id: `p${String(++n).padStart(3, '0')}`,
    name: action.kind,
    priority: 100,
    exclusive: false,
    scope: { kind: 'CART' },
    conditions,
    action,
    ...over,
  });
const tiered = () =>
  promo({
    kind: 'TIERED_REDUCTION',
    tiers: [
      { threshold: cny(30000), off: cny(5000) },
      { threshold: cny(50000), off: cny(10000) },
    ],
  });

/** Invariants every result must keep. */
function check(r: ReturnType<typeof priceCart>) {
  for (const l of r.lines) {
    expect(l.total.isNegative()).toBe(false);
    expect(l.unitPrice.times(l.quantity).subtract(l.discount).equals(l.total)).toBe(true);
  }
  expect(
    Money.sum(
      r.lines.map((l) => l.discount),
      'CNY',
    ).equals(r.discount),
  ).toBe(true);
  expect(
    Money.sum(
      r.applied.filter((a) => !a.explanation.includes('shipping')).map((a) => a.discount),
      'CNY',
    ).equals(r.discount),
  ).toBe(true);
  expect(r.total.equals(r.subtotal.subtract(r.discount).add(r.shipping))).toBe(true);
  expect(r.total.isNegative()).toBe(false);
}

describe('promotion engine', () => {
  it.each<[string, CartLine[], number]>([
    ['below every tier', [line('a', 1, 29999)], 0],
    ['满300减50 exactly at 300', [line('a', 3, 10000)], 5000],
    ['between tiers', [line('a', 1, 49999)], 5000],
    ['满500减100', [line('a', 2, 25000)], 10000],
    ['above the top tier, once', [line('a', 10, 25000)], 10000],
  ])('tiered full reduction: %s', (_label, lines, off) => {
    const r = priceCart(lines, [tiered()], ctx());
    check(r);
    expect(r.discount.amountMinor).toBe(off);
  });

  it.each<[number, number | undefined, number]>([
    [29999, undefined, 0],
    [30000, undefined, 5000],
    [95000, undefined, 15000],
    [95000, 10000, 10000],
  ])('every 300 off 50 on %i (cap %s) takes %i', (amount, cap, off) => {
    const p = promo({
      kind: 'EVERY_REDUCTION',
      every: cny(30000),
      off: cny(5000),
      ...(cap ? { cap: cny(cap) } : {}),
    });
    const r = priceCart([line('a', 1, amount)], [p], ctx());
    check(r);
    expect(r.discount.amountMinor).toBe(off);
  });

  it('percentage off with a cap, floored to whole minor units', () => {
    const r = priceCart(
      [line('a', 3, 3333)],
      [promo({ kind: 'PERCENT_OFF', basisPoints: 1500, cap: cny(1000) })],
      ctx(),
    );
    check(r);
    expect(r.discount.amountMinor).toBe(1000);
    const uncapped = priceCart(
      [line('a', 1, 3333)],
      [promo({ kind: 'PERCENT_OFF', basisPoints: 1500 })],
      ctx(),
    );
    expect(uncapped.discount.amountMinor).toBe(499);
  });

  it('allocates a cart discount to lines exactly, by what each line costs', () => {
    const r = priceCart(
      [line('a', 1, 10000), line('b', 1, 20000), line('c', 1, 30001)],
      [tiered()],
      ctx(),
    );
    check(r);
    expect(r.lines.map((l) => l.discount.amountMinor)).toEqual([1667, 3333, 5000]);
  });

  it('never discounts below zero: a fixed amount larger than the cart takes the cart', () => {
    const r = priceCart(
      [line('a', 1, 500)],
      [promo({ kind: 'AMOUNT_OFF', amount: cny(2000) })],
      ctx({ shipping: cny(0) }),
    );
    check(r);
    expect(r.total.amountMinor).toBe(0);
  });

  it('stacks in priority order, each on what is left; an exclusive one stands alone', () => {
    const tenPct = promo({ kind: 'PERCENT_OFF', basisPoints: 1000 }, { priority: 20 });
    const lines = [line('a', 2, 30000)];
    const stacked = priceCart(lines, [tiered(), tenPct], ctx());
    check(stacked);
    // 10% of 60000 = 6000 first, then 54000 reaches 满500减100
    expect(stacked.applied.map((a) => [a.name, a.discount.amountMinor])).toEqual([
      ['PERCENT_OFF', 6000],
      ['TIERED_REDUCTION', 10000],
    ]);
    const exclusive = promo(
      { kind: 'AMOUNT_OFF', amount: cny(100) },
      { priority: 1, exclusive: true },
    );
    const alone = priceCart(lines, [tiered(), tenPct, exclusive], ctx());
    expect(alone.applied.map((a) => a.promotionId)).toEqual([exclusive.id]);
    const lateExclusive = promo(
      { kind: 'AMOUNT_OFF', amount: cny(100) },
      { priority: 500, exclusive: true },
    );
    expect(
      priceCart(lines, [tenPct, lateExclusive], ctx()).applied.map((a) => a.promotionId),
    ).toEqual([tenPct.id]);
  });

  it('checks conditions: scope subtotal, member tier, first order, window, channel, coupon', () => {
    const lines = [line('a', 1, 40000, ['shoes']), line('b', 1, 10000, ['socks'])];
    const shoes = promo(
      { kind: 'AMOUNT_OFF', amount: cny(1000) },
      { scope: { kind: 'CATEGORIES', categoryIds: ['shoes'] } },
      [{ kind: 'MIN_SUBTOTAL', amount: cny(40000) }],
    );
    const r = priceCart(lines, [shoes], ctx());
    expect(r.lines.map((l) => l.discount.amountMinor)).toEqual([1000, 0]);
    const cases: [Condition, Partial<PricingContext>, boolean][] = [
      [{ kind: 'MEMBER_TIER', tiers: ['GOLD'] }, { memberTier: 'GOLD' }, true],
      [{ kind: 'MEMBER_TIER', tiers: ['GOLD'] }, {}, false],
      [{ kind: 'FIRST_ORDER' }, { firstOrder: true }, true],
      [{ kind: 'FIRST_ORDER' }, {}, false],
      [
        {
          kind: 'DATE_WINDOW',
          from: new Date('2026-11-11T00:00:00Z'),
          to: new Date('2026-11-12T00:00:00Z'),
        },
        {},
        true,
      ],
      [
        {
          kind: 'DATE_WINDOW',
          from: new Date('2026-11-12T00:00:00Z'),
          to: new Date('2026-11-13T00:00:00Z'),
        },
        {},
        false,
      ],
      [{ kind: 'CHANNEL', channels: ['mini-program'] }, {}, false],
      [{ kind: 'COUPON', code: 'SAVE' }, { couponCodes: ['SAVE'] }, true],
      [{ kind: 'COUPON', code: 'SAVE' }, {}, false],
    ];
    for (const [condition, c, applies] of cases) {
      const p = promo({ kind: 'AMOUNT_OFF', amount: cny(100) }, {}, [condition]);
      expect(priceCart(lines, [p], ctx(c)).applied.length).toBe(applies ? 1 : 0);
    }
    const coupon = promo({ kind: 'AMOUNT_OFF', amount: cny(100) }, {}, [
      { kind: 'COUPON', code: 'SAVE' },
    ]);
    expect(priceCart(lines, [coupon], ctx({ couponCodes: ['SAVE'] })).couponsUsed).toEqual([
      'SAVE',
    ]);
  });

  it('buy 2 get 1: the cheapest unit of each group of three is free', () => {
    const p = promo({ kind: 'BUY_X_GET_Y', buy: 2, free: 1 });
    const r = priceCart([line('a', 2, 5000), line('b', 2, 3000)], [p], ctx());
    check(r);
    // 4 units → one group of 3 → the cheapest (3000) free
    expect(r.lines.map((l) => l.discount.amountMinor)).toEqual([0, 3000]);
  });

  it('member price, gifts and free shipping', () => {
    const member = promo(
      { kind: 'MEMBER_PRICE', unitPrice: cny(8000) },
      { scope: { kind: 'SKUS', skuIds: ['a'] } },
      [{ kind: 'MEMBER_TIER', tiers: ['GOLD'] }],
    );
    const gift = promo({ kind: 'GIFT', skuId: 'g', quantity: 1 }, {}, [
      { kind: 'MIN_SUBTOTAL', amount: cny(10000) },
    ]);
    const ship = promo({ kind: 'FREE_SHIPPING' }, { priority: 900 });
    const r = priceCart(
      [line('a', 2, 10000), line('b', 1, 500)],
      [member, gift, ship],
      ctx({ memberTier: 'GOLD' }),
    );
    check(r);
    expect(r.lines.map((l) => l.total.amountMinor)).toEqual([16000, 500]);
    expect(r.gifts).toEqual([{ skuId: 'g', quantity: 1, promotionId: gift.id }]);
    expect(r.shipping.amountMinor).toBe(0);
    expect(r.applied.map((a) => a.explanation)).toEqual([
      'MEMBER_PRICE: −40.00 CNY',
      'GIFT: gift 1 × g',
      'FREE_SHIPPING: shipping −10.00 CNY',
    ]);
  });

  it('is deterministic and keeps its sums over random carts and promotion sets', () => {
    let seed = 42;
    const rnd = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + rnd(4) }, (_, i) =>
        line(`s${i}`, 1 + rnd(3), 1 + rnd(40000)),
      );
      const promos = [
        tiered(),
        promo(
          { kind: 'PERCENT_OFF', basisPoints: 1 + rnd(5000), cap: cny(1 + rnd(5000)) },
          { priority: rnd(200) },
        ),
        promo(
          { kind: 'EVERY_REDUCTION', every: cny(10000), off: cny(1 + rnd(9999)) },
          { priority: rnd(200) },
        ),
        promo({ kind: 'BUY_X_GET_Y', buy: 1 + rnd(2), free: 1 }, { priority: rnd(200) }),
        promo({ kind: 'AMOUNT_OFF', amount: cny(1 + rnd(100000)) }, { priority: rnd(200) }),
      ];
      const r = priceCart(lines, promos, ctx());
      check(r);
      expect(priceCart(lines, [...promos].reverse(), ctx())).toEqual(r);
    }
  });

  it('spreads with caps, moving any excess to lines with room', () => {
    expect(spread(cny(100), [1, 1], [cny(10), cny(200)]).map((m) => m.amountMinor)).toEqual([
      10, 90,
    ]);
  });

  it('refuses malformed promotions when they are defined', () => {
    expect(() => promo({ kind: 'PERCENT_OFF', basisPoints: 0 })).toThrow(
      expect.objectContaining({ code: 'PROMOTION_INVALID' }),
    );
    expect(() =>
      promo({ kind: 'TIERED_REDUCTION', tiers: [{ threshold: cny(100), off: cny(200) }] }),
    ).toThrow(expect.objectContaining({ code: 'PROMOTION_INVALID' }));
    expect(() => promo({ kind: 'BUY_X_GET_Y', buy: 0, free: 1 })).toThrow(
      expect.objectContaining({ code: 'PROMOTION_INVALID' }),
    );
  });
});
