import { ISO_4217_CURRENCIES, isIso4217Currency } from './iso4217';

describe('ISO 4217 currencies', () => {
  it.each(['CNY', 'HKD', 'USD', 'EUR', 'JPY', 'KWD', 'MOP', 'TWD'])('takes %s', (code) => {
    expect(isIso4217Currency(code)).toBe(true);
  });

  it.each(['BTC', 'XXX', 'XTS', 'XAU', 'XAG', 'XDR', 'ABC', 'cny', 'CN', '', 'CNYY', 42, null])(
    'refuses %p',
    (code) => {
      expect(isIso4217Currency(code)).toBe(false);
    },
  );

  it('knows the currencies in circulation, and only three-letter codes', () => {
    expect(ISO_4217_CURRENCIES.size).toBeGreaterThan(140);
    for (const c of ISO_4217_CURRENCIES) expect(c).toMatch(/^[A-Z]{3}$/);
  });
});
