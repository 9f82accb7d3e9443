import { Money } from '@emporia/money';
import { pricingPolicy } from './pricing-policy';
import {
  estimateElasticity,
  pricePeriods,
  suggestPrice,
  type Elasticity,
  type SuggestionInput,
} from './pricing-suggestion';

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const SKU = '0190b000-0000-7000-8000-000000000001';
const policy = (over: Partial<Parameters<typeof pricingPolicy>[0]> = {}) =>
  pricingPolicy({
    skuId: SKU,
    floor: cny(5000),
    ceiling: cny(20000),
    unitCost: cny(4000),
    minMarginBps: 1500,
    targetSellThrough: 0.5,
    targetDaysOfSupply: 30,
    enabled: true,
    ...over,
  });
const estimated = (value: number): Elasticity => ({
  value,
  estimated: true,
  periods: 2,
  reason: `elasticity ${value}`,
});
const input = (over: Partial<SuggestionInput>): SuggestionInput => ({
  policy: policy(),
  current: Money.of(10000, 'CNY'),
  onHand: 300,
  unitsSold: 30,
  windowDays: 30,
  daysOfSupply: 300,
  sellThrough: 30 / 330,
  elasticity: estimated(-2),
  maxStep: 0.2,
  minChange: 0.01,
  ...over,
});

describe('elasticity', () => {
  it('price 100→80 with daily units 10→14 gives the log-log slope ln(1.4)/ln(0.8)', () => {
    const units = new Map<string, number>();
    for (let d = 1; d <= 20; d++)
      units.set(`2026-11-${String(d).padStart(2, '0')}`, d <= 10 ? 10 : 14);
    const periods = pricePeriods(
      [
        { day: '2026-11-01', priceMinor: 10000 },
        { day: '2026-11-11', priceMinor: 8000 },
      ],
      units,
      '2026-11-01',
      '2026-11-20',
    );
    expect(periods).toEqual([
      { priceMinor: 10000, days: 10, units: 100 },
      { priceMinor: 8000, days: 10, units: 140 },
    ]);
    const e = estimateElasticity(periods, -1.5);
    expect(e.estimated).toBe(true);
    expect(e.value).toBeCloseTo(Math.log(1.4) / Math.log(0.8), 12); // −1.5079
    expect(e.value).toBeCloseTo(-1.5079, 4);
  });

  it('a price in effect before the lookback carries in; one price only falls back to the default, named', () => {
    const periods = pricePeriods(
      [{ day: '2026-10-01', priceMinor: 9000 }],
      new Map([['2026-11-02', 3]]),
      '2026-11-01',
      '2026-11-05',
    );
    expect(periods).toEqual([{ priceMinor: 9000, days: 5, units: 3 }]);
    const e = estimateElasticity(periods, -1.5);
    expect(e).toMatchObject({ value: -1.5, estimated: false });
    expect(e.reason).toContain('default');
  });

  it('periods without sales are left out of the fit; a positive slope falls back to the default', () => {
    expect(
      estimateElasticity(
        [
          { priceMinor: 100, days: 5, units: 0 },
          { priceMinor: 80, days: 5, units: 10 },
        ],
        -1.5,
      ).estimated,
    ).toBe(false);
    const up = estimateElasticity(
      [
        { priceMinor: 100, days: 5, units: 20 },
        { priceMinor: 80, days: 5, units: 10 },
      ],
      -1.5,
    );
    expect(up).toMatchObject({ value: -1.5, estimated: false });
  });
});

describe('suggestPrice', () => {
  it('overstocked and slow: lowers by the step the elasticity says reaches the target rate', () => {
    // rate 1/day, target rate 300/30 = 10/day: factor 10^(1/−4) = 0.5623 → within a 50% cap
    const r = suggestPrice(input({ elasticity: estimated(-4), maxStep: 0.5 }));
    expect(r.suggested?.amountMinor).toBe(Math.floor(10000 * 10 ** (1 / -4) + 0.5)); // 5623
    expect(r.reasons[0]).toMatch(/> target 30 .* lower/);
  });

  it('caps the step at 20%', () => {
    const r = suggestPrice(input({}));
    // 10^(−1/2) = 0.316 → capped at 0.8
    expect(r.suggested?.amountMinor).toBe(8000);
    expect(r.reasons).toContain('step capped at 20%');
  });

  it('clamps to the floor, then the margin guard wins over the ceiling', () => {
    const floored = suggestPrice(input({ policy: policy({ floor: cny(9000) }) }));
    expect(floored.suggested?.amountMinor).toBe(9000);
    expect(floored.reasons).toContain('floor 9000');
    // cost 8000 + 15% = 9200 > the 20% step's 8000 and the floor 5000
    const guarded = suggestPrice(input({ policy: policy({ unitCost: cny(8000) }) }));
    expect(guarded.suggested?.amountMinor).toBe(9200);
    expect(guarded.reasons.some((x) => x.startsWith('margin guard 9200'))).toBe(true);
  });

  it('raises when days of supply are below half the target, clamped to the ceiling', () => {
    // 10 on hand, 30 sold in 30 days: 10 days of supply < 15; target rate 10/30 per day
    const r = suggestPrice(
      input({
        onHand: 10,
        unitsSold: 30,
        daysOfSupply: 10,
        sellThrough: 0.75,
        elasticity: estimated(-1.5),
        policy: policy({ ceiling: cny(11000) }),
      }),
    );
    // factor (1/3)^(1/−1.5) = 2.08 → capped at 1.2 → 12000 → ceiling 11000
    expect(r.suggested?.amountMinor).toBe(11000);
    expect(r.reasons).toEqual(expect.arrayContaining(['step capped at 20%', 'ceiling 11000']));
  });

  it('suggests nothing within the targets or for a change below 1%', () => {
    expect(
      suggestPrice(input({ daysOfSupply: 20, onHand: 20, unitsSold: 30, sellThrough: 0.6 }))
        .suggested,
    ).toBeNull();
    // the floor leaves 0.5%: no suggestion
    const tiny = suggestPrice(input({ policy: policy({ floor: cny(9950) }) }));
    expect(tiny.suggested).toBeNull();
    expect(tiny.reasons[tiny.reasons.length - 1]).toMatch(/below 1%/);
  });

  it('no sales with stock: the largest step down, named', () => {
    const r = suggestPrice(input({ unitsSold: 0, daysOfSupply: -1, sellThrough: 0 }));
    expect(r.suggested?.amountMinor).toBe(8000);
    expect(r.reasons).toContain('no sales in the window: the largest step');
  });
});

describe('pricing policy validation', () => {
  it.each([
    [{ ceiling: cny(4000) }, 'policy.ceiling'],
    [{ ceiling: { amountMinor: 20000, currency: 'USD' } }, 'policy.ceiling'],
    [{ unitCost: cny(-1) }, 'policy.unit_cost'],
    [{ minMarginBps: 10001 }, 'policy.min_margin_bps'],
    [{ unitCost: cny(19000) }, 'policy.min_margin_bps'],
    [{ targetSellThrough: 0 }, 'policy.target_sell_through'],
    [{ targetDaysOfSupply: 0 }, 'policy.target_days_of_supply'],
    [{ skuId: 'x' }, 'policy.sku_id'],
    [{ floor: undefined }, 'policy.floor'],
  ])('refuses %j naming %s', (over, field) => {
    expect(() => policy(over)).toThrow(
      expect.objectContaining({
        kind: 'INVALID_ARGUMENT',
        code: 'PRICING_POLICY_INVALID',
        details: { field },
      }),
    );
  });
});
