import { z } from 'zod';
import { ConfigError, DEFAULT_CURRENCIES, env, loadConfig } from './config';

describe('env.currencies (CURRENCIES)', () => {
  const schema = z.object({ CURRENCIES: env.currencies(DEFAULT_CURRENCIES) });

  it('defaults to the renminbi and its neighbours, all ISO 4217', () => {
    expect(loadConfig(schema, {}).CURRENCIES).toEqual(DEFAULT_CURRENCIES.split(','));
  });

  it('takes a comma-separated list, trimmed, upper-cased, without repeats', () => {
    expect(loadConfig(schema, { CURRENCIES: ' cny, HKD ,CNY,' }).CURRENCIES).toEqual([
      'CNY',
      'HKD',
    ]);
  });

  it.each(['CNY,BTC', 'XXX', 'USD,XAU,XTS', '', ' , '])(
    'stops start-up naming CURRENCIES for %p',
    (value) => {
      expect(() => loadConfig(schema, { CURRENCIES: value })).toThrow(ConfigError);
      expect(() => loadConfig(schema, { CURRENCIES: value })).toThrow(/CURRENCIES: /);
    },
  );

  it('says which codes are not currencies', () => {
    expect(() => loadConfig(schema, { CURRENCIES: 'CNY,BTC,XXX' })).toThrow(
      "not ISO 4217 currencies: 'BTC', 'XXX'",
    );
  });
});
