import { Money } from '@emporia/money';
import { NO_RETURNS, type ReturnStats } from './return-facts';
import {
  addressIssues,
  counterSignals,
  evaluate,
  normaliseListValue,
  returnSignals,
  returnWindowsOf,
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
    // one place however it was written, as order's fingerprint of an order there
    for (const written of [
      'CN|广东|深圳|南山|科技园，1号|',
      'cn|廣東省|深圳市|南山區|科技園１號',
      'CN|Guangdong|Shenzhen|Nanshan|科技园 1 号|',
    ])
      expect(normaliseListValue('ADDRESS', written)).toBe('cn|广东省|深圳市|南山区|科技园1号|');
    expect(normaliseListValue('ADDRESS', ' 科技园 1 号 ')).toBe('科技园1号');
    expect(() => normaliseListValue('DEVICE', '  ')).toThrow(
      expect.objectContaining({ code: 'LIST_VALUE_INVALID' }),
    );
  });
});

describe('address and return rules (issue 24)', () => {
  const DAY = 86_400;
  const quality = (dimension: string, over: Partial<Rule> = {}): Rule =>
    ({
      ...base,
      id: `q-${dimension}`,
      kind: 'ADDRESS_QUALITY',
      dimension,
      score: 40,
      ...over,
    }) as Rule;
  const spread = (dimension: 'ADDRESS' | 'ACCOUNT', threshold: number): Rule => ({
    ...base,
    id: `spread-${dimension}`,
    kind: 'ADDRESS_SPREAD',
    dimension,
    windowSeconds: DAY,
    threshold,
  });
  const returnAbuse = (
    dimension: 'RETURN_RATE' | 'EXCHANGES' | 'REFUNDS_WITHOUT_RETURN' | 'ITEMS_MISMATCH',
    threshold: number,
    over: Partial<Extract<Rule, { kind: 'RETURN_ABUSE' }>> = {},
  ): Rule => ({
    ...base,
    id: `returns-${dimension}`,
    kind: 'RETURN_ABUSE',
    dimension,
    windowSeconds: 90 * DAY,
    threshold,
    ...over,
  });
  const history = (s: Partial<ReturnStats>, window = 90 * DAY) => ({
    [window]: { ...NO_RETURNS, ...s },
  });
  const reasons = (r: Rule, f: Partial<Facts>) => evaluate([r], 'ORDER', facts(f)).reasons;

  describe('ADDRESS_QUALITY', () => {
    it('ANY hits with one reason per issue, the rule scored once', () => {
      expect(
        evaluate(
          [quality('ANY')],
          'ORDER',
          facts({ addressIssues: ['DETAIL_VAGUE', 'PHONE_OTHER_COUNTRY'] }),
        ),
      ).toEqual({
        decision: 'REVIEW',
        score: 40,
        reasons: ['ADDRESS_DETAIL_VAGUE', 'ADDRESS_PHONE_OTHER_COUNTRY'],
      });
    });

    it('an issue code hits on that issue only; no issues, no hit', () => {
      const vague = quality('DETAIL_VAGUE');
      expect(reasons(vague, { addressIssues: ['RECIPIENT_DOUBTFUL', 'DETAIL_VAGUE'] })).toEqual([
        'ADDRESS_DETAIL_VAGUE',
      ]);
      expect(reasons(vague, { addressIssues: ['RECIPIENT_DOUBTFUL'] })).toEqual([]);
      expect(reasons(quality('ANY'), { addressIssues: [] })).toEqual([]);
      expect(reasons(quality('ANY'), {})).toEqual([]);
    });

    it('two rules on one issue: the reason once, both scores', () => {
      const v = evaluate(
        [quality('ANY'), quality('DETAIL_VAGUE', { id: 'q2', score: 30 })],
        'ORDER',
        facts({ addressIssues: ['DETAIL_VAGUE'] }),
      );
      expect(v).toEqual({ decision: 'REVIEW', score: 70, reasons: ['ADDRESS_DETAIL_VAGUE'] });
    });

    it('address issues are upper-snake codes up to 64 characters, each once, at most 20', () => {
      const many = Array.from({ length: 25 }, (_, i) => `ISSUE_${i}`);
      expect(
        addressIssues([
          'DETAIL_VAGUE',
          'DETAIL_VAGUE',
          'detail_vague',
          '',
          ' PHONE_OTHER_COUNTRY',
          'A'.repeat(64),
          'A'.repeat(65),
          'TWO__UNDERSCORES',
          '_LEADING',
          'X1_2Y',
          42,
          null,
        ]),
      ).toEqual(['DETAIL_VAGUE', 'A'.repeat(64), 'X1_2Y']);
      expect(addressIssues(many)).toEqual(many.slice(0, 20));
      expect(addressIssues(undefined)).toEqual([]);
    });
  });

  describe('ADDRESS_SPREAD', () => {
    it('ADDRESS counts distinct accounts to the address, ACCOUNT distinct addresses of the account', () => {
      expect(signalsOf(spread('ADDRESS', 10))).toEqual([
        { metric: 'addressAccounts', windowSeconds: DAY },
      ]);
      expect(signalsOf(spread('ACCOUNT', 4))).toEqual([
        { metric: 'accountAddresses', windowSeconds: DAY },
      ]);
    });

    it.each([
      ['ADDRESS', 10, 9, []],
      ['ADDRESS', 10, 10, ['ADDRESS_SPREAD_ADDRESS']],
      ['ACCOUNT', 4, 3, []],
      ['ACCOUNT', 4, 4, ['ADDRESS_SPREAD_ACCOUNT']],
      ['ACCOUNT', 4, 7, ['ADDRESS_SPREAD_ACCOUNT']],
    ] as const)('%s at threshold %i with %i counted: %j', (dimension, threshold, n, want) => {
      const r = spread(dimension, threshold);
      expect(reasons(r, { counts: count(r, n) })).toEqual(want);
    });
  });

  describe('RETURN_ABUSE', () => {
    it('reads the return history of its window from Postgres, not a Redis counter', () => {
      const rules = [
        returnAbuse('RETURN_RATE', 60),
        returnAbuse('EXCHANGES', 4),
        returnAbuse('ITEMS_MISMATCH', 1, { windowSeconds: 365 * DAY }),
        spread('ACCOUNT', 4),
      ];
      const signals = rules.flatMap(signalsOf);
      expect(returnWindowsOf(signals)).toEqual([90 * DAY, 365 * DAY]);
      expect(counterSignals(signals)).toEqual([{ metric: 'accountAddresses', windowSeconds: DAY }]);
    });

    it.each([
      // delivered, returned, min sample, hits
      [5, 3, 5, true], // 60 % of 5: at the threshold and the sample
      [5, 2, 5, false], // 40 %
      [10, 6, 5, true],
      [7, 4, 5, false], // 57.1 %
      [4, 4, 5, false], // 100 %, but fewer lines delivered than the sample
      [1, 1, undefined, true], // the default sample is 1 line
      [0, 3, undefined, false], // returns without deliveries in the window: no rate
      [5, 9, 5, true], // returns of goods delivered before the window
    ])('RETURN_RATE ≥ 60 %%: %i delivered, %i returned, min sample %s → %s', (d, r, min, hit) => {
      const rule = returnAbuse('RETURN_RATE', 60, min === undefined ? {} : { minSample: min });
      expect(reasons(rule, { returns: history({ deliveredLines: d, returnedLines: r }) })).toEqual(
        hit ? ['RETURN_ABUSE_RETURN_RATE'] : [],
      );
    });

    it.each([
      ['EXCHANGES', 4, { exchanges: 3 }, { exchanges: 4 }],
      ['REFUNDS_WITHOUT_RETURN', 3, { refundsWithoutReturn: 2 }, { refundsWithoutReturn: 3 }],
      ['ITEMS_MISMATCH', 1, {}, { itemsMismatches: 1 }],
    ] as const)('%s hits at its threshold (%i)', (dimension, threshold, under, at) => {
      const rule = returnAbuse(dimension, threshold);
      expect(reasons(rule, { returns: history(under) })).toEqual([]);
      expect(reasons(rule, { returns: history(at) })).toEqual([`RETURN_ABUSE_${dimension}`]);
    });

    it('counts only its own window, and nothing without a history', () => {
      const rule = returnAbuse('ITEMS_MISMATCH', 1);
      expect(reasons(rule, { returns: history({ itemsMismatches: 2 }, 365 * DAY) })).toEqual([]);
      expect(reasons(rule, {})).toEqual([]);
    });

    it('the audit keeps every number per window, with the rate in % (one decimal)', () => {
      expect(
        returnSignals({
          [90 * DAY]: { ...NO_RETURNS, deliveredLines: 7, returnedLines: 4, exchanges: 1 },
          [DAY]: NO_RETURNS,
        }),
      ).toEqual({
        [DAY]: { ...NO_RETURNS, returnRate: null },
        [90 * DAY]: {
          deliveredLines: 7,
          returnedLines: 4,
          returnRate: 57.1,
          exchanges: 1,
          refundsWithoutReturn: 0,
          itemsMismatches: 0,
          cancellations: 0,
        },
      });
    });
  });

  it.each([
    [quality('detail_vague'), 'ADDRESS_QUALITY dimension is ANY or an address issue code'],
    [quality('X'.repeat(65)), 'at most 64 characters'],
    [quality('ANY', { appliesTo: 'LOGIN' }), 'applies to ORDER'],
    [{ ...spread('ADDRESS', 10), dimension: 'DEVICE' }, 'counts by ADDRESS (accounts) or ACCOUNT'],
    [{ ...spread('ACCOUNT', 4), windowSeconds: 7 * DAY + 1 }, 'a window is 1 to 604800 seconds'],
    [spread('ACCOUNT', 0), 'threshold'],
    [returnAbuse('EXCHANGES', 4, { windowSeconds: 365 * DAY + 1 }), '(365 days)'],
    [returnAbuse('EXCHANGES', 4, { windowSeconds: 0 }), 'return history window is 1 to 31536000'],
    [returnAbuse('RETURN_RATE', 101), 'a RETURN_RATE threshold is a percentage, 1 to 100'],
    [returnAbuse('RETURN_RATE', 0), 'threshold is a whole number from 1'],
    [returnAbuse('RETURN_RATE', 60, { minSample: 0 }), 'min_sample (the fewest delivered lines)'],
    [returnAbuse('RETURN_RATE', 60, { minSample: 2.5 }), 'min_sample'],
    [returnAbuse('EXCHANGES', 4, { minSample: 5 }), 'min_sample applies to RETURN_RATE only'],
    [{ ...returnAbuse('EXCHANGES', 4), dimension: 'RETURNS' }, 'looks at RETURN_RATE, EXCHANGES'],
    [{ ...returnAbuse('EXCHANGES', 4), appliesTo: 'REVIEW' }, 'applies to ORDER'],
  ])('refuses an invalid address or return rule (%#: %s)', (r, message) => {
    expect(() => validateRule(r as Rule)).toThrow(
      expect.objectContaining({ code: 'RULE_INVALID', message: expect.stringContaining(message) }),
    );
  });

  it('accepts the edges: a year of returns, 100 %, min_sample absent or 0 on a count', () => {
    for (const r of [
      returnAbuse('ITEMS_MISMATCH', 1, { windowSeconds: 365 * DAY }),
      returnAbuse('RETURN_RATE', 100, { minSample: 1 }),
      returnAbuse('RETURN_RATE', 1),
      returnAbuse('EXCHANGES', 4, { minSample: 0 }),
      spread('ADDRESS', 1),
      quality('ANY'),
      quality('REGION_MISMATCH_IN_DETAIL'),
    ])
      expect(validateRule(r)).toBe(r);
  });
});

describe('MODEL_SCORE (issue 23)', () => {
  const model = (threshold: number, over: Partial<Rule> = {}): Rule =>
    ({ ...base, id: 'model', kind: 'MODEL_SCORE', threshold, score: 50, ...over }) as Rule;

  it('hits at the threshold (per mille of the probability) and above, not below', () => {
    const r = model(350);
    expect(evaluate([r], 'ORDER', facts({ modelScore: 0.35 }))).toEqual({
      decision: 'REVIEW',
      score: 50,
      reasons: ['MODEL_SCORE'],
    });
    expect(evaluate([r], 'ORDER', facts({ modelScore: 0.9 })).reasons).toEqual(['MODEL_SCORE']);
    expect(evaluate([r], 'ORDER', facts({ modelScore: 0.3499 })).decision).toBe('ALLOW');
    expect(evaluate([model(1000)], 'ORDER', facts({ modelScore: 1 })).decision).toBe('REVIEW');
  });

  it('never hits when no model scored the order (the rules decide alone)', () => {
    expect(evaluate([model(1)], 'ORDER', facts()).decision).toBe('ALLOW');
  });

  it('reads no counter', () => {
    expect(signalsOf(model(200))).toEqual([]);
  });

  it.each([
    [model(0), 'threshold is a whole number from 1'],
    [model(1001), 'per mille'],
    [model(20.5), 'whole number'],
    [model(200, { appliesTo: 'LOGIN' }), 'applies to ORDER'],
    [model(200, { appliesTo: 'REVIEW' }), 'applies to ORDER'],
  ])('refuses an invalid MODEL_SCORE rule (%#: %s)', (r, message) => {
    expect(() => validateRule(r)).toThrow(
      expect.objectContaining({ code: 'RULE_INVALID', message: expect.stringContaining(message) }),
    );
  });

  it('accepts 1 to 1000 per mille', () => {
    for (const r of [model(1), model(1000), model(211, { action: 'REJECT' })])
      expect(validateRule(r)).toBe(r);
  });
});
