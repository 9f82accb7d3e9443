import {
  aov,
  funnelSteps,
  kpiTotal,
  mainCurrency,
  shownChannel,
  sortAttribution,
  storedChannel,
  type KpiDay,
} from './figures';

const day = (over: Partial<KpiDay>): KpiDay => ({
  day: '2026-11-01',
  channel: 'web',
  currency: 'CNY',
  orders: 0,
  paidOrders: 0,
  gmvMinor: 0,
  units: 0,
  refundsMinor: 0,
  newBuyers: 0,
  returningBuyers: 0,
  ...over,
});

describe('aov', () => {
  it('rounds half up in minor units, 0 without paid orders', () => {
    expect(aov(1000, 3)).toBe(333);
    expect(aov(1001, 2)).toBe(501); // 500.5 -> 501
    expect(aov(999, 2)).toBe(500); // 499.5 -> 500
    expect(aov(998, 3)).toBe(333); // 332.67 -> 333
    expect(aov(997, 3)).toBe(332); // 332.33 -> 332
    expect(aov(5000, 0)).toBe(0);
  });

  it('is exact for sums beyond 2^53 / 2', () => {
    expect(aov(9_000_000_000_000_001, 2)).toBe(4_500_000_000_000_001);
  });
});

describe('kpiTotal', () => {
  it('sums the day rows of its currency and takes buyers over the whole range', () => {
    const total = kpiTotal(
      [
        day({ orders: 3, paidOrders: 2, gmvMinor: 500, units: 4, refundsMinor: 100, newBuyers: 2 }),
        day({ day: '2026-11-02', orders: 1, paidOrders: 1, gmvMinor: 250, units: 1 }),
        day({ currency: 'USD', orders: 9, paidOrders: 9, gmvMinor: 9 }),
      ],
      { payers: 3, newBuyers: 2 },
      { channel: 'all', currency: 'CNY', day: '' },
    );
    expect(total).toEqual(
      day({
        day: '',
        channel: 'all',
        orders: 4,
        paidOrders: 3,
        gmvMinor: 750,
        units: 5,
        refundsMinor: 100,
        newBuyers: 2,
        returningBuyers: 1,
      }),
    );
  });

  it('picks the currency with the most GMV, or the fallback when there is none', () => {
    expect(mainCurrency([day({ gmvMinor: 5 }), day({ currency: 'HKD', gmvMinor: 9 })], 'CNY')).toBe(
      'HKD',
    );
    expect(mainCurrency([], 'CNY')).toBe('CNY');
  });

  it('shows the empty channel as unknown and reads unknown back as empty', () => {
    expect(shownChannel('')).toBe('unknown');
    expect(shownChannel('app')).toBe('app');
    expect(storedChannel('unknown')).toBe('');
    expect(storedChannel('web')).toBe('web');
  });
});

describe('funnelSteps', () => {
  it('converts each step against the previous one, 1 for view and 0 after an empty step', () => {
    expect(funnelSteps({ view: 10, cart: 4, checkout: 1, paid: 1 })).toEqual([
      { step: 'view', visitors: 10, conversion: 1, dropOff: 0 },
      { step: 'cart', visitors: 4, conversion: 0.4, dropOff: 0.6 },
      { step: 'checkout', visitors: 1, conversion: 0.25, dropOff: 0.75 },
      { step: 'paid', visitors: 1, conversion: 1, dropOff: 0 },
    ]);
    expect(
      funnelSteps({ view: 0, cart: 0, checkout: 0, paid: 0 }).map((s) => s.conversion),
    ).toEqual([1, 0, 0, 0]);
  });
});

describe('sortAttribution', () => {
  it('orders by GMV descending, then source, medium and campaign', () => {
    const row = (source: string, medium: string, gmvMinor: number) => ({
      source,
      medium,
      campaign: '',
      currency: 'CNY',
      paidOrders: 1,
      gmvMinor,
    });
    expect(
      sortAttribution([
        row('b', '', 10),
        row('a', 'z', 10),
        row('a', 'c', 10),
        row('z', '', 99),
      ]).map((r) => `${r.source}/${r.medium}`),
    ).toEqual(['z/', 'a/c', 'a/z', 'b/']);
  });
});
