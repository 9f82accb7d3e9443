import {
  expectedAttribution,
  expectedFunnel,
  expectedKpis,
  roundHalfUp,
} from './analytics-expected';
import { A, at, B, ev, order, P1, P2, truth } from './analytics-expected.fixtures';

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
});
