import type { analyticsV1 } from '@emporia/contracts';
import {
  expectedAttribution,
  expectedFunnel,
  expectedKpis,
  roundHalfUp,
} from './analytics-expected';
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
import {
  assignVariant,
  DAY_MS,
  generateMonth,
  localDay,
  monthDomainEvents,
  type MonthOrder,
  type MonthTruth,
  startOfDay,
} from './analytics-month';

const NOW = new Date('2026-12-02T06:00:00Z'); // 14:00 in Shanghai
const at = (iso: string) => new Date(iso);
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const P1 = '00000000-0000-4000-8000-0000000000p1'.replace('p1', '01');
const P2 = P1.replace(/01$/, '02');
const P3 = P1.replace(/01$/, '03');

function order(o: Partial<MonthOrder> & { orderId: string; accountId: string }): MonthOrder {
  return {
    channel: 'web',
    placedAt: at('2026-11-20T02:00:00Z'),
    lines: [{ skuId: 'k1', productId: P1, quantity: 1, unitPriceMinor: 1000 }],
    totalMinor: 1000,
    paidAt: null,
    cancelledAt: null,
    refunds: [],
    ...o,
  };
}

function ev(e: Partial<analyticsV1.BehaviourEvent>): analyticsV1.BehaviourEvent {
  return {
    eventId: '',
    type: 'page_view',
    anonymousId: 'v1',
    accountId: '',
    sessionId: 's1',
    occurredAt: '2026-11-20T01:00:00Z',
    receivedAt: '',
    channel: 'web',
    utm: { source: '', medium: '', campaign: '', term: '', content: '' },
    referrer: '',
    device: { type: 'mobile', os: '', browser: '' },
    page: '',
    productId: '',
    skuId: '',
    quantity: 0,
    query: '',
    resultCount: 0,
    bannerId: '',
    experimentKey: '',
    variant: '',
    ...e,
  };
}

function truth(over: Partial<MonthTruth>): MonthTruth {
  return {
    now: NOW,
    timeZone: 'Asia/Shanghai',
    currency: 'CNY',
    days: [],
    products: [],
    stock: [],
    accounts: [],
    orders: [],
    behaviour: [],
    experiments: [],
    ...over,
  };
}

describe('the synthetic month', () => {
  const month = generateMonth({ now: NOW, visitors: 300 });

  it('is the same for the same seed and now, and another for another seed', () => {
    expect(JSON.stringify(generateMonth({ now: NOW, visitors: 300 }))).toBe(JSON.stringify(month));
    expect(generateMonth({ now: NOW, visitors: 300, seed: 7 }).behaviour[0].eventId).not.toBe(
      month.behaviour[0].eventId,
    );
    expect(monthDomainEvents(month).map((e) => e.eventId)).toEqual(
      monthDomainEvents(month).map((e) => e.eventId),
    );
  });

  it('lies in the 30 days before today, crosses local midnights, and keeps payments off the recency boundaries', () => {
    const days = new Set(month.behaviour.map((e) => localDay(new Date(e.occurredAt))));
    expect([...days].every((d) => month.days.includes(d))).toBe(true);
    const lateNight = month.behaviour.filter((e) =>
      new Date(e.occurredAt)
        .toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai' })
        .startsWith('23:5'),
    );
    expect(lateNight.length).toBeGreaterThan(10);
    for (const o of month.orders.filter((x) => x.paidAt)) {
      const r = (NOW.getTime() - o.paidAt!.getTime()) % DAY_MS;
      expect(r >= 2 * 60_000 && r <= DAY_MS - 30 * 60_000).toBe(true);
    }
    expect(month.orders.some((o) => o.refunds.some((r) => r.full))).toBe(true);
    expect(month.orders.some((o) => o.refunds.some((r) => !r.full))).toBe(true);
    expect(month.orders.some((o) => o.cancelledAt)).toBe(true);
  });

  it('exposes each unit to the variant the assignment gives it', () => {
    for (const e of month.behaviour.filter((x) => x.type === 'experiment_exposure')) {
      const x = month.experiments.find((y) => y.key === e.experimentKey)!;
      expect(e.variant).toBe(assignVariant(x.key, x.variants, e.accountId || e.anonymousId));
    }
  });

  it('carries a true effect in one experiment and none in the A/A test (default seed, full size)', () => {
    const full = generateMonth({ now: NOW });
    expect(expectedExperiment(full, 'checkout-cta').variants[1].significant).toBe(true);
    expect(expectedExperiment(full, 'header-aa').variants[1].significant).toBe(false);
  });
});

describe('the calculator on hand-made cases', () => {
  it('rounds AOV half up', () => {
    expect([roundHalfUp(1001, 2), roundHalfUp(1000, 3), roundHalfUp(0, 0)]).toEqual([501, 333, 0]);
  });

  it('KPIs: orders by placed day, paid and units by paid day, refunds by refund day; new and returning buyers per channel', () => {
    const t = truth({
      orders: [
        // A's first paid order (web, 11-20), then a second one paid in the app on 11-21
        order({ orderId: '1', accountId: A, paidAt: at('2026-11-20T03:00:00Z') }),
        order({
          orderId: '2',
          accountId: A,
          channel: 'app',
          placedAt: at('2026-11-20T15:59:00Z'), // 23:59 on 11-20 in Shanghai
          paidAt: at('2026-11-20T16:01:00Z'), // 00:01 on 11-21
          lines: [{ skuId: 'k2', productId: P2, quantity: 3, unitPriceMinor: 667 }],
          totalMinor: 2001,
          refunds: [
            { refundId: 'r', at: at('2026-11-21T02:00:00Z'), amountMinor: 500, full: false },
          ],
        }),
        // B pays on 11-21 on the web: new; an unpaid order of B's counts as placed only
        order({ orderId: '3', accountId: B, paidAt: at('2026-11-21T02:00:00Z') }),
        order({ orderId: '4', accountId: B, channel: '' }),
      ],
    });
    const q = { from: '2026-11-20', to: '2026-11-21' };
    const byChannel = expectedKpis(t, { ...q, channel: '' });
    expect(
      byChannel.rows.map((r) => [
        r.day,
        r.channel,
        r.orders,
        r.paidOrders,
        r.units,
        r.refundsMinor,
        r.newBuyers,
        r.returningBuyers,
      ]),
    ).toEqual([
      ['2026-11-20', 'app', 1, 0, 0, 0, 0, 0],
      ['2026-11-20', 'unknown', 1, 0, 0, 0, 0, 0],
      ['2026-11-20', 'web', 2, 1, 1, 0, 1, 0],
      ['2026-11-21', 'app', 0, 1, 3, 500, 0, 1],
      ['2026-11-21', 'web', 0, 1, 1, 0, 1, 0],
    ]);
    const all = expectedKpis(t, { ...q, channel: 'all' });
    expect(all.rows[1]).toMatchObject({
      day: '2026-11-21',
      gmvMinor: 3001,
      aovMinor: 1501,
      newBuyers: 1,
      returningBuyers: 1,
    });
    expect(all.total).toMatchObject({
      orders: 4,
      paidOrders: 3,
      gmvMinor: 4001,
      aovMinor: 1334,
      newBuyers: 2,
      returningBuyers: 0,
    });
    // over 11-21 alone, A's first order is outside the range: A returns
    expect(
      expectedKpis(t, { from: '2026-11-21', to: '2026-11-21', channel: 'app' }).total,
    ).toMatchObject({ newBuyers: 0, returningBuyers: 1, refundsMinor: 500 });
  });

  it('funnel: steps nest, filters select events, payment counts through links seen later', () => {
    const t = truth({
      behaviour: [
        ev({ eventId: 'e1', type: 'product_view', anonymousId: 'v1', productId: P1 }),
        ev({
          eventId: 'e2',
          type: 'add_to_cart',
          anonymousId: 'v1',
          occurredAt: '2026-11-20T01:01:00Z',
        }),
        ev({
          eventId: 'e3',
          type: 'checkout_started',
          anonymousId: 'v1',
          occurredAt: '2026-11-20T01:02:00Z',
        }),
        // the link comes days later
        ev({
          eventId: 'e4',
          type: 'page_view',
          anonymousId: 'v1',
          accountId: A,
          occurredAt: '2026-11-25T01:00:00Z',
        }),
        ev({
          eventId: 'e5',
          type: 'product_view',
          anonymousId: 'v2',
          device: { type: 'desktop', os: '', browser: '' },
        }),
        // a cart without a view does not count
        ev({ eventId: 'e6', type: 'add_to_cart', anonymousId: 'v3' }),
      ],
      orders: [order({ orderId: '1', accountId: A, paidAt: at('2026-11-20T03:00:00Z') })],
    });
    const q = { from: '2026-11-20', to: '2026-11-20' };
    expect(expectedFunnel(t, q).map((s) => [s.step, s.visitors, s.conversion])).toEqual([
      ['view', 2, 1],
      ['cart', 1, 0.5],
      ['checkout', 1, 1],
      ['paid', 1, 1],
    ]);
    expect(expectedFunnel(t, { ...q, device: 'desktop' }).map((s) => s.visitors)).toEqual([
      1, 0, 0, 0,
    ]);
    expect(expectedFunnel(t, { ...q, device: 'desktop' })[2]).toMatchObject({
      conversion: 0,
      dropOff: 1,
    });
  });

  it('attribution: first and last touch up to the payment, direct without one', () => {
    const utm = (source: string) => ({ source, medium: 'm', campaign: 'c', term: '', content: '' });
    const t = truth({
      behaviour: [
        ev({
          eventId: 'e1',
          anonymousId: 'v1',
          accountId: A,
          utm: utm('google'),
          occurredAt: '2026-11-19T01:00:00Z',
        }),
        ev({
          eventId: 'e2',
          anonymousId: 'v2',
          accountId: A,
          utm: utm('wechat'),
          occurredAt: '2026-11-20T01:00:00Z',
        }),
        // after the payment: not a touch of order 1
        ev({
          eventId: 'e3',
          anonymousId: 'v1',
          utm: utm('baidu'),
          occurredAt: '2026-11-20T05:00:00Z',
        }),
      ],
      orders: [
        order({ orderId: '1', accountId: A, paidAt: at('2026-11-20T03:00:00Z'), totalMinor: 1000 }),
        order({ orderId: '2', accountId: B, paidAt: at('2026-11-20T03:00:00Z'), totalMinor: 700 }),
      ],
    });
    const q = { from: '2026-11-20', to: '2026-11-20' };
    expect(
      expectedAttribution(t, { ...q, model: 'first_touch' }).map((r) => [
        r.source,
        r.paidOrders,
        r.gmvMinor,
      ]),
    ).toEqual([
      ['google', 1, 1000],
      ['(direct)', 1, 700],
    ]);
    expect(expectedAttribution(t, { ...q, model: 'last_touch' })[0].source).toBe('wechat');
  });

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

describe('deleted accounts in the month', () => {
  it('are three buyers without visitor links (deletion touches only the customers figures)', () => {
    const m = generateMonth({ now: NOW, visitors: 300 });
    const deleted = m.accounts.filter((a) => a.deletedAt).map((a) => a.accountId);
    expect(deleted).toHaveLength(3);
    const linked = new Set(m.behaviour.map((e) => e.accountId));
    expect(deleted.some((a) => linked.has(a))).toBe(false);
    expect(deleted.every((a) => m.orders.some((o) => o.accountId === a && o.paidAt))).toBe(true);
  });
});
