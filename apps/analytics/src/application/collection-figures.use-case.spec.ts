import { newContext } from '@emporia/platform';
import { AnalyticsError } from '../domain/analytics-error';
import type { KpiDay } from '../domain/figures';
import { collectionSettings, InMemoryFigures } from '../testing/collection.in-memory';
import { CollectionFigures } from './collection-figures.use-case';

const ctx = newContext();
const range = { fromDay: '2026-11-01', toDay: '2026-11-30' };
const kpi = (over: Partial<KpiDay>): KpiDay => ({
  day: '2026-11-02',
  channel: 'web',
  currency: 'CNY',
  orders: 1,
  paidOrders: 1,
  gmvMinor: 1000,
  units: 2,
  refundsMinor: 0,
  newBuyers: 1,
  returningBuyers: 0,
  ...over,
});

async function fieldOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AnalyticsError);
    return (e as AnalyticsError).details?.['field'];
  }
  throw new Error('expected the call to fail');
}

describe('CollectionFigures', () => {
  const setup = () => {
    const figures = new InMemoryFigures();
    return { figures, uc: new CollectionFigures(figures, collectionSettings()) };
  };

  it('shows KPI rows per channel with the empty channel as unknown, and the range total', async () => {
    const { figures, uc } = setup();
    figures.days = [kpi({}), kpi({ channel: '', gmvMinor: 500, day: '2026-11-03' })];
    figures.buyers = { payers: 2, newBuyers: 1 };
    const r = await uc.kpis(ctx, { range, channel: '' });
    expect(figures.asked.split).toEqual({ by: 'channel' });
    expect(figures.asked.buyersChannel).toBeNull();
    expect(r.rows.map((x) => x.channel)).toEqual(['web', 'unknown']);
    expect(r.total).toMatchObject({
      channel: 'all',
      gmvMinor: 1500,
      paidOrders: 2,
      newBuyers: 1,
      returningBuyers: 1,
    });
  });

  it('asks for one channel (unknown = the empty channel) or the sum over channels', async () => {
    const { figures, uc } = setup();
    const one = await uc.kpis(ctx, { range, channel: 'unknown' });
    expect(figures.asked.split).toEqual({ by: 'one', channel: '' });
    expect(figures.asked.buyersChannel).toBe('');
    expect(one.total).toMatchObject({ channel: 'unknown', currency: 'CNY', gmvMinor: 0 });
    await uc.kpis(ctx, { range, channel: 'all' });
    expect(figures.asked.split).toEqual({ by: 'all' });
  });

  it('refuses bad ranges and filters, naming the field', async () => {
    const { uc } = setup();
    expect(
      await fieldOf(
        uc.kpis(ctx, { range: { fromDay: '2026-11-30', toDay: '2026-11-01' }, channel: '' }),
      ),
    ).toBe('range');
    expect(await fieldOf(uc.funnel(ctx, { range, channel: 'tv', utmSource: '', device: '' }))).toBe(
      'channel',
    );
    expect(
      await fieldOf(uc.funnel(ctx, { range, channel: '', utmSource: '', device: 'watch' })),
    ).toBe('device');
    expect(await fieldOf(uc.attribution(ctx, { range, model: 'linear' }))).toBe('model');
    expect(await fieldOf(uc.abandonedCarts(ctx, { limit: -1 }))).toBe('limit');
  });

  it('turns funnel counts into step conversions', async () => {
    const { figures, uc } = setup();
    figures.funnelCounts = { view: 8, cart: 4, checkout: 2, paid: 1 };
    const steps = await uc.funnel(ctx, {
      range,
      channel: 'app',
      utmSource: 'google',
      device: 'mobile',
    });
    expect(figures.asked.filters).toEqual({
      channel: 'app',
      utmSource: 'google',
      device: 'mobile',
    });
    expect(steps.map((s) => [s.step, s.visitors, s.conversion])).toEqual([
      ['view', 8, 1],
      ['cart', 4, 0.5],
      ['checkout', 2, 0.5],
      ['paid', 1, 0.5],
    ]);
  });

  it('sorts attribution rows and defaults the abandoned-cart limit to 50', async () => {
    const { figures, uc } = setup();
    const row = (source: string, gmvMinor: number) => ({
      source,
      medium: '',
      campaign: '',
      currency: 'CNY',
      paidOrders: 1,
      gmvMinor,
    });
    figures.attributionRows = [row('a', 1), row('b', 5)];
    expect(
      (await uc.attribution(ctx, { range, model: 'first_touch' })).map((r) => r.source),
    ).toEqual(['b', 'a']);
    await uc.abandonedCarts(ctx, { limit: 0 });
    expect(figures.asked.limit).toBe(50);
  });
});
