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

describe('loadConfig', () => {
  const schema = z.object({
    DATABASE_URL: env.url(),
    HTTP_PORT: env.port(8080),
    KAFKA_BROKERS: env.csv(),
    VERBOSE: env.bool(false),
  });

  it('applies defaults and transforms', () => {
    expect(
      loadConfig(schema, { DATABASE_URL: 'postgres://a@db/x', KAFKA_BROKERS: 'k1, k2' }),
    ).toEqual({
      DATABASE_URL: 'postgres://a@db/x',
      HTTP_PORT: 8080,
      KAFKA_BROKERS: ['k1', 'k2'],
      VERBOSE: false,
    });
  });

  it('stops start-up naming every missing or bad variable, one line each', () => {
    let error: unknown;
    try {
      loadConfig(schema, { DATABASE_URL: 'not a url', HTTP_PORT: '70000', VERBOSE: 'yes' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'HTTP_PORT',
      'KAFKA_BROKERS',
      'VERBOSE',
    ]);
    expect(message.split('\n')[0]).toBe('invalid configuration:');
    for (const variable of ['DATABASE_URL', 'HTTP_PORT', 'KAFKA_BROKERS', 'VERBOSE'])
      expect(message).toMatch(new RegExp(`^  ${variable}: \\S`, 'm'));
  });
});
