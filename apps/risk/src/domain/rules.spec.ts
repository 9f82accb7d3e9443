import { Money } from '@emporia/money';
import {
  evaluate,
  normaliseListValue,
  signalKey,
  signalsOf,
  validateRule,
  type Facts,
  type Rule,
} from './rules';

const cny = (n: number) => Money.of(n, 'CNY');
const base = {
  name: 'r',
  appliesTo: 'ORDER' as const,
  action: 'REVIEW' as const,
  score: 30,
  active: true,
};
const rules: Rule[] = [
  {
    ...base,
    id: 'list-address',
    kind: 'LIST_MATCH',
    listKind: 'ADDRESS',
    action: 'REJECT',
    score: 100,
  },
  {
    ...base,
    id: 'velocity',
    kind: 'VELOCITY',
    dimension: 'ACCOUNT',
    windowSeconds: 3600,
    threshold: 5,
  },
  { ...base, id: 'amount', kind: 'AMOUNT', amount: cny(5_000_00), score: 20 },
  {
    ...base,
    id: 'brushing',
    kind: 'BRUSHING',
    amount: cny(10_00),
    windowSeconds: 3600,
    threshold: 5,
    score: 60,
  },
  {
    ...base,
    id: 'coupons',
    kind: 'COUPON_ABUSE',
    dimension: 'DEVICE',
    windowSeconds: 86_400,
    threshold: 3,
    score: 50,
  },
  { ...base, id: 'anomaly', kind: 'LOGIN_ANOMALY', windowSeconds: 3600, score: 10 },
];
const facts = (over: Partial<Facts> = {}): Facts => ({
  listed: [],
  total: cny(100_00),
  counts: {},
  ...over,
});
const count = (r: Rule, n: number, i = 0) => ({ [signalKey(signalsOf(r)[i])]: n });
const rule = (id: string) => rules.find((r) => r.id === id)!;

describe('risk rules', () => {
  it('a clean order is allowed with score 0', () => {
    expect(evaluate(rules, 'ORDER', facts())).toEqual({ decision: 'ALLOW', score: 0, reasons: [] });
  });

  it.each([
    ['a listed address', facts({ listed: ['ADDRESS'] }), 'REJECT', ['LISTED_ADDRESS'], 100],
    [
      'the 6th order of an account in an hour',
      facts({ counts: count(rule('velocity'), 6) }),
      'REVIEW',
      ['VELOCITY_ACCOUNT'],
      30,
    ],
    [
      'the 5th order (not over the threshold)',
      facts({ counts: count(rule('velocity'), 5) }),
      'ALLOW',
      [],
      0,
    ],
    ['a large amount', facts({ total: cny(5_000_00) }), 'REVIEW', ['LARGE_AMOUNT'], 20],
    [
      'a large amount in another currency',
      facts({ total: Money.of(9_000_00, 'USD') }),
      'ALLOW',
      [],
      0,
    ],
    [
      '5 small orders to one address',
      facts({ counts: count(rule('brushing'), 5, 0) }),
      'REVIEW',
      ['BRUSHING'],
      60,
    ],
    [
      '5 accounts ordering to one address',
      facts({ counts: count(rule('brushing'), 5, 1) }),
      'REVIEW',
      ['BRUSHING'],
      60,
    ],
    [
      '3 accounts using coupons on one device',
      facts({ counts: count(rule('coupons'), 3) }),
      'REVIEW',
      ['COUPON_ABUSE_DEVICE'],
      50,
    ],
    [
      'a recent login anomaly',
      facts({ counts: count(rule('anomaly'), 1) }),
      'REVIEW',
      ['LOGIN_ANOMALY'],
      10,
    ],
  ])('%s', (_what, f, decision, reasons, score) => {
    expect(evaluate(rules, 'ORDER', f)).toEqual({ decision, score, reasons });
  });

  it('the strictest action wins, scores add up to at most 100, inactive rules are ignored', () => {
    const f = facts({
      listed: ['ADDRESS'],
      counts: { ...count(rule('velocity'), 9), ...count(rule('brushing'), 9) },
    });
    expect(evaluate(rules, 'ORDER', f)).toEqual({
      decision: 'REJECT',
      score: 100,
      reasons: ['LISTED_ADDRESS', 'VELOCITY_ACCOUNT', 'BRUSHING'],
    });
    const off = rules.map((r) => (r.id === 'list-address' ? { ...r, active: false } : r));
    expect(evaluate(off, 'ORDER', f).decision).toBe('REVIEW');
  });

  it('rules apply to their subject only', () => {
    const login: Rule = {
      ...base,
      id: 'ip',
      appliesTo: 'LOGIN',
      kind: 'LIST_MATCH',
      listKind: 'IP',
      action: 'REJECT',
    };
    expect(evaluate([login], 'ORDER', facts({ listed: ['IP'] })).decision).toBe('ALLOW');
    expect(evaluate([login], 'LOGIN', facts({ listed: ['IP'] })).decision).toBe('REJECT');
  });

  it.each([
    [{ ...rule('velocity'), windowSeconds: 0 }, 'window'],
    [{ ...rule('velocity'), threshold: 0 }, 'threshold'],
    [{ ...rule('amount'), amount: cny(0) }, 'amount'],
    [{ ...rule('list-address'), appliesTo: 'LOGIN' }, 'sign-in'],
    [{ ...rule('brushing'), appliesTo: 'LOGIN' }, 'applies to ORDER'],
    [{ ...rule('velocity'), score: 101 }, 'score'],
    [{ ...rule('amount'), amount: Money.of(100, 'BTC') }, 'ISO 4217'],
    [{ ...rule('brushing'), amount: Money.of(100, 'XXX') }, 'ISO 4217'],
  ])('refuses an invalid rule (%#: %s)', (r, message) => {
    expect(() => validateRule(r as Rule)).toThrow(
      expect.objectContaining({ code: 'RULE_INVALID', message: expect.stringContaining(message) }),
    );
  });

  it('normalises list values so shared lists match', () => {
    expect(normaliseListValue('PHONE', '+86 138-0013-8000')).toBe('+8613800138000');
    expect(normaliseListValue('IP', ' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(normaliseListValue('ADDRESS', 'CN|广东省|深圳市|南山区|科技园 1 号|')).toBe(
      'cn|广东省|深圳市|南山区|科技园1号|',
    );
    expect(() => normaliseListValue('DEVICE', '  ')).toThrow(
      expect.objectContaining({ code: 'LIST_VALUE_INVALID' }),
    );
  });
});
