import { randomUUID } from 'node:crypto';
import { ORDER_CART, ORDER_ORDER, type analyticsV1 } from '@emporia/contracts';
import { eventually } from '@emporia/testing';
import { analyticsHarness, cny, minutesAgo } from './analytics-harness';

jest.setTimeout(120_000);

/** KPIs from order events published as order publishes them, and abandoned carts. */
describe('analytics KPIs and abandoned carts (real Postgres + Kafka)', () => {
  const { call, publish, count, query, abandoned } = analyticsHarness('ank');

  // ---- KPIs ----
  it('gives exact KPIs by day and channel, whatever order the paid events come in', async () => {
    const A = randomUUID();
    const B = randomUUID();
    const o = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const line = (quantity: number, unit: number) => ({
      skuId: randomUUID(),
      productId: randomUUID(),
      quantity,
      unitPrice: cny(unit),
      total: cny(quantity * unit),
    });
    const placed = (
      i: number,
      account: string,
      channel: string,
      placedAt: string,
      lines: ReturnType<typeof line>[],
    ) =>
      publish(ORDER_ORDER.events.OrderPlaced, o[i], {
        orderId: o[i],
        accountId: account,
        total: cny(lines.reduce((s, l) => s + l.total!.amountMinor, 0)),
        status: 'PENDING_PAYMENT',
        placedAt,
        couponCodes: [],
        lines,
        channel,
      });
    const paidEvent = (i: number, account: string, amount: number, paidAt: string) => ({
      orderId: o[i],
      accountId: account,
      amountPaid: cny(amount),
      paidAt,
    });
    // days in Asia/Shanghai: 2026-10-01T20:00Z is 2026-10-02 04:00 there
    await placed(0, A, 'web', '2026-10-01T02:00:00Z', [line(2, 3000), line(1, 4000)]);
    await placed(1, A, 'app', '2026-10-02T01:00:00Z', [line(1, 5000)]);
    await placed(2, B, 'web', '2026-10-01T20:00:00Z', [line(3, 1000)]);
    await placed(3, B, '', '2026-10-03T01:00:00Z', [line(1, 900)]);
    // A's later order is paid (and processed) before its first one
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[1],
      paidEvent(1, A, 5000, '2026-10-02T02:00:00Z'),
    );
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[2],
      paidEvent(2, B, 3000, '2026-10-02T05:00:00Z'),
    );
    await eventually(async () =>
      (await count(
        `SELECT count(*) AS n FROM order_facts WHERE order_id = ANY($1) AND paid_at IS NOT NULL`,
        [[o[1], o[2]]],
      )) === 2
        ? true
        : undefined,
    );
    const firstPaid = randomUUID();
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[0],
      paidEvent(0, A, 10000, '2026-10-01T03:00:00Z'),
      firstPaid,
    );
    // delivered twice, and paid "again" under another id: counted once
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[0],
      paidEvent(0, A, 10000, '2026-10-01T03:00:00Z'),
      firstPaid,
    );
    await publish(
      ORDER_ORDER.events.OrderPaid,
      o[0],
      paidEvent(0, A, 10000, '2026-10-01T04:00:00Z'),
    );
    await publish(ORDER_ORDER.events.OrderRefunded, o[0], {
      orderId: o[0],
      accountId: A,
      refundId: randomUUID(),
      amountRefunded: cny(2000),
      refundedAt: '2026-10-03T01:00:00Z',
      full: false,
    });
    const kpis = (r: { fromDay: string; toDay: string }, channel: string) =>
      call<analyticsV1.GetKpisResponse>('getKpis', { range: r, channel });
    const oct = { fromDay: '2026-10-01', toDay: '2026-10-03' };
    await eventually(
      async () => {
        const t = (await kpis(oct, 'all')).total!;
        return t.refunds?.amountMinor === 2000 && t.orders === 4 ? true : undefined;
      },
      { what: 'every order event processed' },
    ); // the refund came after o[0]'s repeated payments
    const flat = (x: analyticsV1.KpiRow) => [
      x.day,
      x.channel,
      x.orders,
      x.paidOrders,
      x.gmv?.amountMinor,
      x.units,
      x.refunds?.amountMinor,
      x.newBuyers,
      x.returningBuyers,
      x.aov?.amountMinor,
    ];
    const per = await kpis(oct, '');
    expect(per.rows.map(flat)).toEqual([
      ['2026-10-01', 'web', 1, 1, 10000, 3, 0, 1, 0, 10000],
      ['2026-10-02', 'app', 1, 1, 5000, 1, 0, 0, 1, 5000],
      ['2026-10-02', 'web', 1, 1, 3000, 3, 0, 1, 0, 3000],
      ['2026-10-03', 'unknown', 1, 0, 0, 0, 0, 0, 0, 0],
      ['2026-10-03', 'web', 0, 0, 0, 0, 2000, 0, 0, 0],
    ]);
    const all = await kpis(oct, 'all');
    expect(all.rows.map(flat)).toEqual([
      ['2026-10-01', 'all', 1, 1, 10000, 3, 0, 1, 0, 10000],
      ['2026-10-02', 'all', 2, 2, 8000, 4, 0, 1, 1, 4000],
      ['2026-10-03', 'all', 1, 0, 0, 0, 2000, 0, 0, 0],
    ]);
    expect(flat(all.total!)).toEqual(['', 'all', 4, 3, 18000, 7, 2000, 2, 0, 6000]);
    // from the 2nd: B is new there, A paid there but first paid on the 1st
    expect(
      flat((await kpis({ fromDay: '2026-10-02', toDay: '2026-10-03' }, 'all')).total!),
    ).toEqual(['', 'all', 3, 2, 8000, 4, 2000, 1, 1, 4000]);
    const web = await kpis(oct, 'web');
    expect(flat(web.total!)).toEqual(['', 'web', 2, 2, 13000, 6, 2000, 2, 0, 6500]);
    expect(flat((await kpis(oct, 'app')).total!)).toEqual([
      '',
      'app',
      1,
      1,
      5000,
      1,
      0,
      0,
      1,
      5000,
    ]);
  });

  // ---- abandoned carts ----
  it('raises one CartAbandoned for a cart left with items, and not again within the cap', async () => {
    const C = randomUUID(); // leaves the cart
    const D = randomUUID(); // orders after changing the cart
    const E = randomUUID(); // changed the cart just now
    const cart = (account: string, changedAt: Date, quantities: number[]) =>
      publish(ORDER_CART.events.CartChanged, account, {
        accountId: account,
        lines: quantities.map((quantity) => ({
          skuId: randomUUID(),
          productId: randomUUID(),
          quantity,
          unitPrice: cny(1000),
        })),
        subtotal: cny(quantities.reduce((s, q) => s + q * 1000, 0)),
        changedAt: changedAt.toISOString(),
        cause: 'set_line',
      });
    // D's order is seen first (order.order and order.cart are separate topics: any order)
    const orderId = randomUUID();
    await publish(ORDER_ORDER.events.OrderPlaced, orderId, {
      orderId,
      accountId: D,
      total: cny(1000),
      status: 'PENDING_PAYMENT',
      placedAt: minutesAgo(100).toISOString(),
      couponCodes: [],
      lines: [],
      channel: 'web',
    });
    await eventually(async () =>
      (await count(`SELECT count(*) AS n FROM order_facts WHERE order_id = $1`, [orderId])) === 1
        ? true
        : undefined,
    );
    await cart(D, minutesAgo(120), [1]);
    await cart(E, minutesAgo(5), [4]);
    await cart(C, minutesAgo(120), [1, 2]);
    await eventually(async () => (abandoned.length >= 1 ? true : undefined), {
      what: 'CartAbandoned',
    });
    expect(abandoned).toEqual([{ key: C, eventId: expect.any(String), accountId: C }]);
    const listed = await call<analyticsV1.ListAbandonedCartsResponse>('listAbandonedCarts', {
      limit: 10,
    });
    expect(listed.carts).toEqual([
      expect.objectContaining({ accountId: C, items: 3, subtotal: cny(3000), recovered: false }),
    ]);
    // D ordered after its cart's last change, E's cart is too fresh: neither is raised
    expect(
      await count(`SELECT count(*) AS n FROM cart_state WHERE account_id = ANY($1)`, [[D, E]]),
    ).toBe(2);
    // C changes the cart again (still long ago enough to be due): the cap holds it back
    await cart(C, minutesAgo(90), [1]);
    await eventually(async () =>
      (await count(`SELECT count(*) AS n FROM cart_state WHERE account_id = $1 AND items = 1`, [
        C,
      ])) === 1
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 1500)); // five sweeps
    expect(abandoned).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM cart_abandonments`)).toBe(1);
    // once the cap is over (moved back here), the newer change is raised
    await query(
      `UPDATE cart_state SET last_raised_at = now() - interval '73 hours' WHERE account_id = $1`,
      [C],
    );
    await eventually(async () => (abandoned.length === 2 ? true : undefined), {
      what: 'the second CartAbandoned',
    });
    expect(abandoned.map((a) => a.accountId)).toEqual([C, C]);
    // an order placed afterwards marks the abandoned carts recovered
    const later = randomUUID();
    await publish(ORDER_ORDER.events.OrderPlaced, later, {
      orderId: later,
      accountId: C,
      total: cny(1000),
      status: 'PENDING_PAYMENT',
      placedAt: new Date().toISOString(),
      couponCodes: [],
      lines: [],
      channel: 'app',
    });
    await eventually(
      async () => {
        const r = await call<analyticsV1.ListAbandonedCartsResponse>('listAbandonedCarts', {
          limit: 10,
        });
        return r.carts.length === 2 && r.carts.every((c) => c.recovered) ? true : undefined;
      },
      { what: 'recovered carts' },
    );
  });

  it('keeps a cart whose lines order could not price (catalog away): its subtotal is unknown', async () => {
    const F = randomUUID();
    await publish(ORDER_CART.events.CartChanged, F, {
      accountId: F,
      lines: [
        { skuId: randomUUID(), productId: '', quantity: 2, unitPrice: undefined },
        { skuId: randomUUID(), productId: randomUUID(), quantity: 1, unitPrice: cny(500) },
      ],
      subtotal: undefined,
      changedAt: minutesAgo(1).toISOString(),
      cause: 'set_line',
    });
    // stored, not dead-lettered: 3 items, no currency (so no subtotal is ever announced)
    await eventually(async () =>
      (await count(
        `SELECT count(*) AS n FROM cart_state WHERE account_id = $1 AND items = 3 AND currency IS NULL`,
        [F],
      )) === 1
        ? true
        : undefined,
    );
  });
});
