import {
  expectedLifecycle,
  expectedRetention,
  expectedRfm,
  quintiles,
  segmentOf,
  stageOf,
} from './analytics-expected-customers';
import {
  chiSquareUpper,
  expectedExperiment,
  expectedInventory,
  expectedRecommendations,
  experimentStats,
  normalTwoSided,
} from './analytics-expected-more';
import { A, at, B, ev, NOW, order, P1, P2, P3, truth } from './analytics-expected.fixtures';
import { DAY_MS, localDay, startOfDay } from './analytics-month';

describe('the calculator on hand-made cases: customers, statistics, recommendations, inventory', () => {
  it('life-cycle stages, repurchase and cohorts', () => {
    const now = NOW.getTime();
    const d = (n: number) => now - n * DAY_MS;
    expect(stageOf([d(100)], now)).toBe('dormant');
    expect(stageOf([d(200), d(5)], now)).toBe('woken_up');
    expect(stageOf([d(20), d(5)], now)).toBe('new');
    expect(stageOf([d(60), d(5)], now)).toBe('active');
    const t = truth({
      orders: [
        order({ orderId: '1', accountId: A, paidAt: new Date(d(100)) }),
        order({ orderId: '2', accountId: A, paidAt: new Date(d(5)) }),
        order({ orderId: '3', accountId: B, paidAt: new Date(d(5)) }),
      ],
      accounts: [{ accountId: B, registeredAt: new Date(d(50)), deletedAt: null }],
    });
    // A paid again 95 days after its first order: woken up
    expect(expectedLifecycle(t)).toEqual({ new: 1, active: 0, dormant: 0, woken_up: 1 });
    const r = expectedRetention(t, { fromMonth: '2026-08', toMonth: '2026-12' });
    expect(r).toMatchObject({ repurchaseRate: 0.5, buyers: 2, repeatBuyers: 1 });
    expect(r.cohorts).toEqual([
      { month: '2026-08', buyers: 1, retained: [1, 0, 0, 1, 0] },
      { month: '2026-11', buyers: 1, retained: [1, 0] },
    ]);
    // a deleted account is no customer
    t.accounts = [{ accountId: B, registeredAt: new Date(d(50)), deletedAt: new Date(d(1)) }];
    expect(expectedLifecycle(t)).toEqual({ new: 0, active: 0, dormant: 0, woken_up: 1 });
  });

  it('RFM: quintiles as ntile(5), ties by account id, segments in the order of the rules', () => {
    const xs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((accountId, i) => ({ accountId, v: i % 3 }));
    expect([...quintiles(xs, (p, q) => p.v - q.v).entries()]).toEqual([
      ['a', 1],
      ['d', 1],
      ['g', 2],
      ['b', 3],
      ['e', 3],
      ['c', 4],
      ['f', 5],
    ]);
    expect(segmentOf(5, 5, 5)).toBe('champions');
    expect(segmentOf(1, 5, 1)).toBe('cant_lose');
    expect(segmentOf(3, 4, 1)).toBe('loyal');
    expect(segmentOf(4, 2, 1)).toBe('potential_loyalists');
    expect(segmentOf(5, 1, 1)).toBe('new_customers');
    expect(segmentOf(2, 3, 5)).toBe('at_risk');
    expect(segmentOf(3, 1, 1)).toBe('hibernating');
    expect(segmentOf(1, 1, 5)).toBe('lost');
    const now = NOW.getTime();
    const t = truth({
      orders: [
        order({
          orderId: '1',
          accountId: A,
          paidAt: new Date(now - 3.5 * DAY_MS),
          totalMinor: 900,
          refunds: [{ refundId: 'r', at: new Date(now - DAY_MS), amountMinor: 400, full: false }],
        }),
        order({ orderId: '2', accountId: B, paidAt: new Date(now - 40 * DAY_MS) }),
        order({ orderId: '3', accountId: B, paidAt: new Date(now - 10 * DAY_MS) }),
      ],
    });
    expect(
      expectedRfm(t).map((r) => [
        r.accountId,
        r.recency,
        r.frequency,
        r.monetary,
        r.daysSinceLastOrder,
        r.spentMinor,
      ]),
    ).toEqual([
      // two buyers: ranks 0 and 1 score floor(5 * i / 2) + 1 = 1 and 3
      [A, 3, 1, 1, 3, 500],
      [B, 1, 3, 3, 10, 2000],
    ]);
  });

  it('statistics: the two-proportion test, the CI and the SRM check', () => {
    expect(normalTwoSided(1.959964)).toBeCloseTo(0.05, 6);
    expect(chiSquareUpper(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareUpper(5.991465, 2)).toBeCloseTo(0.05, 6);
    const r = experimentStats([
      { variant: 'a', weight: 1, users: 1000, conversions: 100 },
      { variant: 'b', weight: 1, users: 1000, conversions: 130 },
    ]);
    const b = r.variants[1];
    expect(b.absoluteUplift).toBeCloseTo(0.03, 12);
    expect(b.relativeUplift).toBeCloseTo(0.3, 12);
    const se = Math.sqrt((0.1 * 0.9) / 1000 + (0.13 * 0.87) / 1000);
    expect(b.ciLow).toBeCloseTo(0.03 - 1.959964 * se, 12);
    expect(b.pValue).toBeCloseTo(0.03549, 4);
    expect(b.significant).toBe(true);
    expect(r.sampleRatioMismatch).toBe(false);
    expect(
      experimentStats([
        { variant: 'a', weight: 1, users: 1000, conversions: 1 },
        { variant: 'b', weight: 1, users: 1200, conversions: 1 },
      ]).sampleRatioMismatch,
    ).toBe(true);
  });

  it('recommendations: cosine of co-occurrence, ties by count then id', () => {
    const t = truth({
      orders: [
        order({
          orderId: '1',
          accountId: A,
          paidAt: NOW,
          lines: [P1, P2].map((productId) => ({
            skuId: productId,
            productId,
            quantity: 1,
            unitPriceMinor: 1,
          })),
        }),
        order({
          orderId: '2',
          accountId: A,
          paidAt: NOW,
          lines: [P1, P3].map((productId) => ({
            skuId: productId,
            productId,
            quantity: 1,
            unitPriceMinor: 1,
          })),
        }),
        order({
          orderId: '3',
          accountId: A,
          paidAt: NOW,
          lines: [P3].map((productId) => ({
            skuId: productId,
            productId,
            quantity: 1,
            unitPriceMinor: 1,
          })),
        }),
        // unpaid: not a basket
        order({
          orderId: '4',
          accountId: A,
          lines: [P1, P3].map((productId) => ({
            skuId: productId,
            productId,
            quantity: 1,
            unitPriceMinor: 1,
          })),
        }),
      ],
      behaviour: [
        ev({ eventId: '1', type: 'product_view', sessionId: '', productId: P1 }),
        ev({
          eventId: '2',
          type: 'product_view',
          sessionId: '',
          productId: P2,
          occurredAt: '2026-11-20T10:00:00Z',
        }),
        // another day for the same visitor without a session: another basket
        ev({
          eventId: '3',
          type: 'product_view',
          sessionId: '',
          productId: P3,
          occurredAt: '2026-11-21T10:00:00Z',
        }),
      ],
    });
    expect(expectedRecommendations(t, P1, 'bought_together')).toEqual([
      { productId: P2, together: 1, score: 1 / Math.sqrt(2) },
      { productId: P3, together: 1, score: 1 / Math.sqrt(4) },
    ]);
    expect(expectedRecommendations(t, P1, 'viewed_together')).toEqual([
      { productId: P2, together: 1, score: 1 },
    ]);
  });

  it('inventory health: window sales, carried-forward average on hand, flags', () => {
    const today = localDay(NOW);
    const t = truth({
      products: [
        {
          productId: P1,
          categoryId: 'c2',
          categoryPathIds: ['c1', 'c2'],
          skus: [{ skuId: 'k1', productId: P1, priceMinor: 100 }],
        },
      ],
      stock: [
        {
          productId: P1,
          at: new Date(NOW.getTime() - 40 * DAY_MS),
          onHand: { k1: 10 },
          movement: null,
        },
        // from the start of the last ten days of the window on: 40
        {
          productId: P1,
          at: startOfDay(localDay(new Date(NOW.getTime() - 9 * DAY_MS))),
          onHand: { k1: 40 },
          movement: { skuId: 'k1', delta: 30 },
        },
      ],
      orders: [
        order({
          orderId: '1',
          accountId: A,
          paidAt: new Date(NOW.getTime() - DAY_MS),
          lines: [{ skuId: 'k1', productId: P1, quantity: 3, unitPriceMinor: 100 }],
        }),
      ],
    });
    const h = expectedInventory(t, 30);
    expect(today).toBe('2026-12-02');
    expect(h.skus[0]).toMatchObject({
      onHand: 40,
      unitsSold: 3,
      daysOfSupply: 400,
      sellThrough: 3 / 43,
      slowMover: true,
      stockoutRisk: false,
    });
    // 20 days at 10 and 10 days at 40: average 20
    expect(h.skus[0].turnover).toBeCloseTo(3 / 20, 12);
    expect(h.categories.map((c) => c.id)).toEqual(['c1', 'c2']);
  });
});

describe('experiment users and conversions on a hand-made case', () => {
  const x = (primaryMetric: 'add_to_cart' | 'paid_order') => ({
    key: 'x',
    name: 'x',
    variants: [
      { key: 'a', weight: 1 },
      { key: 'b', weight: 1 },
    ],
    startAt: at('2026-11-01T00:00:00Z'),
    stopAt: at('2026-11-30T00:00:00Z'),
    primaryMetric,
  });
  const exposure = (
    id: string,
    anonymousId: string,
    accountId: string,
    variant: string,
    t: string,
  ) =>
    ev({
      eventId: id,
      type: 'experiment_exposure',
      anonymousId,
      accountId,
      experimentKey: 'x',
      variant,
      occurredAt: t,
    });

  it('counts each unit once, in the first variant it saw, converting only after exposure and before the stop', () => {
    const t = truth({
      experiments: [x('add_to_cart')],
      behaviour: [
        // v1: exposed twice (a then b): counts in a; its add to cart before exposure does not count
        ev({
          eventId: '0',
          type: 'add_to_cart',
          anonymousId: 'v1',
          occurredAt: '2026-11-10T00:00:00Z',
        }),
        exposure('1', 'v1', '', 'a', '2026-11-10T01:00:00Z'),
        exposure('2', 'v1', '', 'b', '2026-11-10T02:00:00Z'),
        // v2 converts after exposure
        exposure('3', 'v2', '', 'b', '2026-11-10T01:00:00Z'),
        ev({
          eventId: '4',
          type: 'add_to_cart',
          anonymousId: 'v2',
          occurredAt: '2026-11-10T03:00:00Z',
        }),
        // account A's unit is the account: v3's events without it are not A's events
        exposure('5', 'v3', A, 'b', '2026-11-10T01:00:00Z'),
        ev({
          eventId: '6',
          type: 'add_to_cart',
          anonymousId: 'v3',
          occurredAt: '2026-11-10T03:00:00Z',
        }),
        // after the stop: no conversion; exposure before the start: no user
        exposure('7', 'v4', '', 'a', '2026-11-10T01:00:00Z'),
        ev({
          eventId: '8',
          type: 'add_to_cart',
          anonymousId: 'v4',
          occurredAt: '2026-11-30T03:00:00Z',
        }),
        exposure('9', 'v5', '', 'a', '2026-10-31T23:00:00Z'),
        // v6, exposed before signing in, adds to cart signed in: its browser's event, it converts
        exposure('10', 'v6', '', 'a', '2026-11-10T01:00:00Z'),
        ev({
          eventId: '11',
          type: 'add_to_cart',
          anonymousId: 'v6',
          accountId: B,
          occurredAt: '2026-11-10T03:00:00Z',
        }),
      ],
    });
    expect(
      expectedExperiment(t, 'x').variants.map((v) => [v.variant, v.users, v.conversions]),
    ).toEqual([
      ['a', 3, 1],
      ['b', 2, 1],
    ]);
  });

  it('paid_order converts through the accounts linked to an anonymous unit', () => {
    const t = truth({
      experiments: [x('paid_order')],
      behaviour: [
        exposure('1', 'v1', '', 'a', '2026-11-10T01:00:00Z'),
        ev({ eventId: '2', anonymousId: 'v1', accountId: B, occurredAt: '2026-11-12T01:00:00Z' }),
      ],
      orders: [order({ orderId: '1', accountId: B, paidAt: at('2026-11-11T00:00:00Z') })],
    });
    expect(expectedExperiment(t, 'x').variants[0]).toMatchObject({ users: 1, conversions: 1 });
  });
});
