import { newContext } from '@emporia/platform';
import type { DataSource } from 'typeorm';
import { PricingUseCase } from '../../application/pricing.use-case';
import { analyticsConfigSchema } from '../../config';
import type { AreaContext } from '../area';
import { pricingArea } from './pricing.area';

describe('pricing area', () => {
  it('declares the inventory projection and the price-suggestions sweep on its interval', async () => {
    const config = analyticsConfigSchema.parse({
      ANALYTICS_DATABASE_URL: 'postgres://u:p@localhost:5432/a',
      KAFKA_BROKERS: 'localhost:9092',
      ANALYTICS_PRICING_INTERVAL_MS: '5000',
    });
    expect(config).toMatchObject({
      ANALYTICS_SLOW_DAYS: 90,
      ANALYTICS_STOCKOUT_DAYS: 7,
      ANALYTICS_PRICING_LOOKBACK_DAYS: 90,
      ANALYTICS_DEFAULT_ELASTICITY: -1.5,
      ANALYTICS_PRICING_MAX_STEP_PCT: 20,
    });
    const area = pricingArea({
      config,
      postgres: {} as DataSource,
      catalog: undefined,
    } as unknown as AreaContext);
    expect(area.projections?.map((p) => [p.name, p.kinds])).toEqual([
      ['inventory', ['product_snapshot', 'order_paid', 'order_placed']],
    ]);
    const ran: string[] = [];
    const fake = { suggestAll: async () => ran.push('suggestAll') };
    const sweeps = area.sweeps!(((token: unknown) => {
      expect(token).toBe(PricingUseCase);
      return fake;
    }) as never);
    expect(sweeps.map((s) => [s.name, s.everyMs])).toEqual([['price-suggestions', 5000]]);
    await sweeps[0].run(newContext());
    expect(ran).toEqual(['suggestAll']);
  });

  it('refuses a default elasticity that is not negative', () => {
    expect(() =>
      analyticsConfigSchema.parse({
        ANALYTICS_DATABASE_URL: 'postgres://u:p@localhost:5432/a',
        KAFKA_BROKERS: 'localhost:9092',
        ANALYTICS_DEFAULT_ELASTICITY: '0.5',
      }),
    ).toThrow(/ANALYTICS_DEFAULT_ELASTICITY/);
  });
});
