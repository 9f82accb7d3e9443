import { Money } from '@emporia/money';
import type { Action, Condition } from '../domain/promotion-engine';
import { ruleFromJson, ruleToJson, type PromotionRule } from './promotion-rule.codec';

const cny = (minor: number) => Money.of(minor, 'CNY');

/** What Postgres hands back for a jsonb column written with `ruleToJson`. */
const stored = (r: PromotionRule): unknown => JSON.parse(ruleToJson(r));

const conditions: Condition[] = [
  { kind: 'MIN_SUBTOTAL', amount: cny(30000) },
  { kind: 'MEMBER_TIER', tiers: ['GOLD'] },
  { kind: 'FIRST_ORDER' },
  {
    kind: 'DATE_WINDOW',
    from: new Date('2026-11-01T00:00:00Z'),
    to: new Date('2026-11-12T00:00:00Z'),
  },
  { kind: 'CHANNEL', channels: ['APP'] },
  { kind: 'COUPON', code: 'D11' },
];

const actions: Action[] = [
  { kind: 'AMOUNT_OFF', amount: cny(500) },
  { kind: 'PERCENT_OFF', basisPoints: 1000, cap: cny(2000) },
  { kind: 'PERCENT_OFF', basisPoints: 500 },
  {
    kind: 'TIERED_REDUCTION',
    tiers: [
      { threshold: cny(30000), off: cny(5000) },
      { threshold: cny(50000), off: cny(10000) },
    ],
  },
  { kind: 'EVERY_REDUCTION', every: cny(20000), off: cny(2000), cap: cny(6000) },
  { kind: 'BUY_X_GET_Y', buy: 2, free: 1 },
  { kind: 'GIFT', skuId: 'sku-1', quantity: 1 },
  { kind: 'MEMBER_PRICE', unitPrice: cny(9900) },
  { kind: 'FREE_SHIPPING' },
];

describe('promotion rule codec', () => {
  it.each(actions.map((a) => [a.kind, a] as const))(
    'reads back what it wrote: %s with every condition',
    (_kind, action) => {
      const rule: PromotionRule = { scope: { kind: 'SKUS', skuIds: ['s1'] }, conditions, action };
      const back = ruleFromJson('p1', stored(rule));
      expect(back).toEqual(rule);
      const mins = back.conditions.find((c) => c.kind === 'MIN_SUBTOTAL');
      expect(mins?.kind === 'MIN_SUBTOTAL' && mins.amount).toBeInstanceOf(Money);
      const window = back.conditions.find((c) => c.kind === 'DATE_WINDOW');
      expect(window?.kind === 'DATE_WINDOW' && window.from).toBeInstanceOf(Date);
    },
  );

  it('reads minor units stored as strings of digits, and a null cap as none', () => {
    const back = ruleFromJson('p1', {
      scope: { kind: 'CART' },
      conditions: [{ kind: 'MIN_SUBTOTAL', amount: { amountMinor: '30000', currency: 'CNY' } }],
      action: { kind: 'PERCENT_OFF', basisPoints: '1000', cap: null },
    });
    expect(back.conditions).toEqual([{ kind: 'MIN_SUBTOTAL', amount: cny(30000) }]);
    expect(back.action).toEqual({ kind: 'PERCENT_OFF', basisPoints: 1000, cap: undefined });
  });

  it.each([
    [
      'an unknown action kind',
      { scope: { kind: 'CART' }, conditions: [], action: { kind: 'HALF_OFF' } },
      /promotion p9 has a malformed stored rule: action\.kind: /,
    ],
    [
      'money without a currency',
      {
        scope: { kind: 'CART' },
        conditions: [{ kind: 'MIN_SUBTOTAL', amount: { amountMinor: 100 } }],
        action: { kind: 'FREE_SHIPPING' },
      },
      /conditions\.0\.amount\.currency: /,
    ],
    [
      'an invalid currency',
      {
        scope: { kind: 'CART' },
        conditions: [],
        action: { kind: 'AMOUNT_OFF', amount: { amountMinor: 100, currency: 'cny' } },
      },
      /action\.amount: /,
    ],
    [
      'a date that is not one',
      {
        scope: { kind: 'CART' },
        conditions: [{ kind: 'DATE_WINDOW', from: 'soon', to: '2026-11-12T00:00:00.000Z' }],
        action: { kind: 'FREE_SHIPPING' },
      },
      /conditions\.0\.from: an ISO date/,
    ],
    ['a missing scope', { conditions: [], action: { kind: 'FREE_SHIPPING' } }, /scope: /],
    ['not an object', 'CART', /\(rule\): /],
  ])('refuses %s, naming the promotion and the place', (_what, raw, message) => {
    expect(() => ruleFromJson('p9', raw)).toThrow(message);
  });
});
