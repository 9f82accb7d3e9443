import { evaluate, signalKey, signalsOf, validateRule, type Facts, type Rule } from './rules';

/** The review rules (issue 17: brushing checks before a review is shown). */
describe('risk rules for reviews', () => {
  const base = {
    name: 'r',
    appliesTo: 'REVIEW' as const,
    action: 'REVIEW' as const,
    score: 30,
    active: true,
  };
  const device: Rule = {
    ...base,
    id: 'device',
    kind: 'VELOCITY',
    dimension: 'DEVICE',
    windowSeconds: 86_400,
    threshold: 4,
  };
  const young: Rule = { ...base, id: 'young', kind: 'NEW_ACCOUNT', windowSeconds: 3 * 86_400 };
  const bulk: Rule = {
    ...base,
    id: 'bulk',
    kind: 'BULK_AFTER_DELIVERY',
    windowSeconds: 3600,
    threshold: 5,
    deliveryWindowSeconds: 7200,
    score: 50,
  };
  const facts = (over: Partial<Facts> = {}): Facts => ({ listed: [], counts: {}, ...over });
  const count = (r: Rule, n: number) => ({ [signalKey(signalsOf(r)[0])]: n });

  it('a VELOCITY rule for reviews counts reviews, not orders, and hits above its threshold', () => {
    expect(signalsOf(device)).toEqual([
      { metric: 'reviews', dimension: 'DEVICE', windowSeconds: 86_400 },
    ]);
    expect(signalsOf({ ...device, appliesTo: 'ORDER' })[0].metric).toBe('orders');
    expect(evaluate([device], 'REVIEW', facts({ counts: count(device, 4) })).decision).toBe(
      'ALLOW',
    );
    expect(evaluate([device], 'REVIEW', facts({ counts: count(device, 5) }))).toEqual({
      decision: 'REVIEW',
      score: 30,
      reasons: ['VELOCITY_DEVICE'],
    });
  });

  it('NEW_ACCOUNT hits an account younger than its window; an unknown age never hits', () => {
    const age = (s?: number) =>
      evaluate([young], 'REVIEW', facts({ accountAgeSeconds: s })).reasons;
    expect(age(3 * 86_400 - 1)).toEqual(['NEW_ACCOUNT']);
    expect(age(0)).toEqual(['NEW_ACCOUNT']);
    expect(age(3 * 86_400)).toEqual([]);
    expect(age(undefined)).toEqual([]);
  });

  it('BULK_AFTER_DELIVERY hits at the threshold of quick reviews, counted per delivery window', () => {
    expect(signalsOf(bulk)).toEqual([
      { metric: 'quickReviews', deliveryWindowSeconds: 7200, windowSeconds: 3600 },
    ]);
    expect(evaluate([bulk], 'REVIEW', facts({ counts: count(bulk, 4) })).decision).toBe('ALLOW');
    expect(evaluate([bulk], 'REVIEW', facts({ counts: count(bulk, 5) })).reasons).toEqual([
      'BULK_AFTER_DELIVERY',
    ]);
    // another delivery window is another counter
    const other = { ...bulk, deliveryWindowSeconds: 600 } as Rule;
    expect(evaluate([other], 'REVIEW', facts({ counts: count(bulk, 9) })).decision).toBe('ALLOW');
  });

  it('review rules apply to reviews only, order rules not to reviews', () => {
    const list: Rule = { ...base, id: 'l', kind: 'LIST_MATCH', listKind: 'DEVICE' };
    expect(evaluate([list], 'REVIEW', facts({ listed: ['DEVICE'] })).reasons).toEqual([
      'LISTED_DEVICE',
    ]);
    expect(evaluate([list], 'ORDER', facts({ listed: ['DEVICE'] })).decision).toBe('ALLOW');
    expect(
      evaluate(
        [{ ...list, appliesTo: 'ORDER' }],
        'REVIEW',
        facts({ listed: ['DEVICE'], accountAgeSeconds: 1 }),
      ).decision,
    ).toBe('ALLOW');
  });

  it('strictest action and summed score over review rules', () => {
    const v = evaluate(
      [young, bulk, { ...device, action: 'REJECT', score: 40 }],
      'REVIEW',
      facts({ accountAgeSeconds: 60, counts: { ...count(bulk, 5), ...count(device, 9) } }),
    );
    expect(v.decision).toBe('REJECT');
    expect(v.score).toBe(100);
    expect(v.reasons.sort()).toEqual(['BULK_AFTER_DELIVERY', 'NEW_ACCOUNT', 'VELOCITY_DEVICE']);
  });

  it.each([
    [{ ...young, appliesTo: 'ORDER' }, 'applies to REVIEW'],
    [{ ...bulk, appliesTo: 'LOGIN' }, 'applies to REVIEW'],
    [{ ...young, windowSeconds: 0 }, 'account age'],
    // an account age may exceed the 7-day counter window, a velocity window may not
    [{ ...young, windowSeconds: 366 * 86_400 }, 'account age'],
    [{ ...bulk, deliveryWindowSeconds: 0 }, 'delivery window'],
    [{ ...bulk, threshold: 0 }, 'threshold'],
    [{ ...bulk, windowSeconds: 8 * 86_400 }, 'window'],
    [{ ...base, id: 'p', kind: 'LIST_MATCH', listKind: 'PHONE' }, 'a review has'],
  ])('refuses an invalid review rule (%#: %s)', (r, message) => {
    expect(() => validateRule(r as Rule)).toThrow(
      expect.objectContaining({ code: 'RULE_INVALID', message: expect.stringContaining(message) }),
    );
  });

  it('accepts the default review rules and a 30-day account age', () => {
    for (const r of [device, young, bulk, { ...young, windowSeconds: 30 * 86_400 }])
      expect(validateRule(r as Rule)).toBe(r);
  });
});
