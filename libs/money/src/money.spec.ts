import { MAX_MINOR, Money, MoneyError } from './money';

describe('Money', () => {
  it('adds and subtracts integer minor units of one currency', () => {
    const a = Money.of(1999, 'CNY');
    const b = Money.of(1, 'CNY');
    expect(a.add(b).amountMinor).toBe(2000);
    expect(a.subtract(b).amountMinor).toBe(1998);
    expect(b.subtract(a).amountMinor).toBe(-1998);
    expect(a.times(3).amountMinor).toBe(5997);
  });

  it.each([
    [12.5, 'CNY', 'MONEY_INVALID_AMOUNT'],
    [Number.NaN, 'CNY', 'MONEY_INVALID_AMOUNT'],
    [MAX_MINOR + 1, 'CNY', 'MONEY_OVERFLOW'],
    [100, 'cny', 'MONEY_INVALID_CURRENCY'],
    [100, 'YUAN', 'MONEY_INVALID_CURRENCY'],
    [100, '', 'MONEY_INVALID_CURRENCY'],
  ])('rejects amount %p currency %p with %s', (amount, currency, code) => {
    expect(() => Money.of(amount, currency)).toThrow(expect.objectContaining({ code }));
  });

  it('knows its sign', () => {
    expect(
      [Money.of(1, 'CNY'), Money.of(0, 'CNY'), Money.of(-1, 'CNY')].map((m) => m.isPositive()),
    ).toEqual([true, false, false]);
  });

  it('refuses to mix currencies', () => {
    expect(() => Money.of(1, 'CNY').add(Money.of(1, 'USD'))).toThrow(MoneyError);
    expect(() => Money.of(1, 'CNY').compare(Money.of(1, 'USD'))).toThrow(
      /cannot combine CNY with USD/,
    );
  });

  it('overflows loudly instead of losing precision', () => {
    expect(() => Money.of(MAX_MINOR, 'CNY').add(Money.of(1, 'CNY'))).toThrow(
      expect.objectContaining({ code: 'MONEY_OVERFLOW' }),
    );
  });

  it('sums a list, zero for an empty one', () => {
    expect(Money.sum([Money.of(1, 'CNY'), Money.of(2, 'CNY')], 'CNY').amountMinor).toBe(3);
    expect(Money.sum([], 'CNY').equals(Money.zero('CNY'))).toBe(true);
  });

  describe('allocate', () => {
    it.each([
      [100, [1, 1, 1], [34, 33, 33]],
      [5000, [30000, 20000], [3000, 2000]],
      [1, [1, 1], [1, 0]],
      [10, [0, 0], [5, 5]],
      [-100, [1, 1, 1], [-34, -33, -33]],
      [7, [3, 0, 5], [3, 0, 4]],
    ])('splits %p by %p into %p, summing exactly', (amount, weights, expected) => {
      const parts = Money.of(amount, 'CNY').allocate(weights);
      expect(parts.map((p) => p.amountMinor)).toEqual(expected);
      expect(parts.reduce((a, p) => a + p.amountMinor, 0)).toBe(amount);
    });

    it('always sums to the original across many random splits', () => {
      let seed = 42;
      const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      for (let i = 0; i < 500; i++) {
        const amount = rnd(1_000_000);
        const weights = Array.from({ length: 1 + rnd(8) }, () => rnd(100_000));
        const parts = Money.of(amount, 'CNY').allocate(weights);
        expect(parts.reduce((a, p) => a + p.amountMinor, 0)).toBe(amount);
        parts.forEach((p) => expect(p.amountMinor).toBeGreaterThanOrEqual(0));
      }
    });

    it('rejects negative weights', () => {
      expect(() => Money.of(10, 'CNY').allocate([1, -1])).toThrow(MoneyError);
    });
  });

  it('formats with the currency minor-unit exponent', () => {
    expect(Money.of(1234, 'CNY').toDecimalString()).toBe('12.34');
    expect(Money.of(5, 'USD').toDecimalString()).toBe('0.05');
    expect(Money.of(-5, 'USD').toDecimalString()).toBe('-0.05');
    expect(Money.of(1500, 'JPY').toDecimalString()).toBe('1500');
    expect(Money.of(1500, 'KWD').toDecimalString()).toBe('1.500');
  });
});
