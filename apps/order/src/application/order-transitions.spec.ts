import { transition } from '../domain/order-change';
import { ACCOUNT, anAddress, checkoutHarness, SKU_A, SKU_B } from '../testing';

/**
 * Use cases move orders only through `transition`, and the repository saves the change with its
 * events in the same transaction: each move raises its event exactly once, an illegal or stale
 * move raises none.
 */
describe('order transitions through the use cases', () => {
  const placedOrder = async () => {
    const h = checkoutHarness();
    const { order } = await h.checkout.execute(h.ctx, h.input());
    return { h, order };
  };

  it('a paid callback raises OrderPaid once, commits the stock and plans shipments', async () => {
    const { h, order } = await placedOrder();
    const [c, sig] = h.callback(order);
    expect(await h.payments.callback(h.ctx, c, sig)).toBe('PAID');
    // PAY (OrderPaid), then START_FULFILMENT once the stock is committed (no event)
    expect(h.store.orders.get(order.id)!.order).toMatchObject({
      status: 'FULFILLING',
      version: 3,
    });
    expect(h.store.shipments.size).toBe(1);
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'paid']);
    expect(h.catalog.calls.filter((x) => x.method === 'commit')).toEqual([
      { method: 'commit', id: order.reservationId },
    ]);
    // the provider repeating itself changes nothing
    expect(await h.payments.callback(h.ctx, c, sig)).toBe('DUPLICATE');
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'paid']);
  });

  it('a customer cancel raises OrderCancelled with the coupons and releases the stock', async () => {
    const { h, order } = await placedOrder();
    const cancelled = await h.lifecycle.cancelByCustomer(h.ctx, order.id, ACCOUNT, '');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_CANCELLED' });
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'cancelled']);
    expect(h.store.outbox[1].couponCodes).toEqual(['SAVE5']);
    expect(h.catalog.held()).toEqual([]);
    // a second cancel is an illegal move: refused, nothing recorded
    await expect(h.lifecycle.cancelByCustomer(h.ctx, order.id, ACCOUNT, '')).rejects.toMatchObject({
      code: 'ORDER_TRANSITION_INVALID',
    });
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'cancelled']);
    // money arriving now goes back
    const [c, sig] = h.callback(order);
    expect(await h.payments.callback(h.ctx, c, sig)).toBe('REFUND_LATE_PAYMENT');
    expect(h.provider.refunds).toHaveLength(1);
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'cancelled']);
  });

  it('an overdue order is cancelled by the sweep with PAYMENT_TIMEOUT, once', async () => {
    const { h, order } = await placedOrder();
    expect(await h.lifecycle.expireOverdue(h.ctx)).toBe(0);
    h.clock.advance(h.settings.paymentTtlMs);
    expect(await h.lifecycle.expireOverdue(h.ctx)).toBe(1);
    expect(await h.lifecycle.expireOverdue(h.ctx)).toBe(0);
    expect(h.store.orders.get(order.id)!.order.cancelReason).toBe('PAYMENT_TIMEOUT');
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'cancelled']);
  });

  it('review approval opens a fresh payment window and raises nothing; rejection cancels', async () => {
    const h = checkoutHarness();
    h.risk.verdict = { decision: 'REVIEW', score: 60, reasons: [], degraded: false };
    const { order: a } = await h.checkout.execute(h.ctx, h.input());
    h.clock.advance(60_000);
    const approved = await h.lifecycle.review(h.ctx, a.id, true, '');
    expect(approved.status).toBe('PENDING_PAYMENT');
    expect(approved.paymentDeadline.getTime()).toBe(
      h.clock.now().getTime() + h.settings.paymentTtlMs,
    );
    expect(h.store.eventsOf(a.id)).toEqual(['placed']);
    await expect(h.lifecycle.review(h.ctx, a.id, false, 'late')).rejects.toMatchObject({
      code: 'ORDER_TRANSITION_INVALID',
    });
  });

  it('a change made from a stale read is ORDER_CHANGED and rolls back with its events', async () => {
    const { h, order } = await placedOrder();
    const stale = order; // read before the payment below
    const [c, sig] = h.callback(order);
    await h.payments.callback(h.ctx, c, sig);
    const before = h.store.outbox.length;
    await expect(
      h.uow.run(h.ctx, async (tx) => {
        await tx.orders.save(
          transition(stale, 'CANCEL', { cancelReason: 'X', couponCodes: [] }, h.clock.now()),
        );
      }),
    ).rejects.toMatchObject({ code: 'ORDER_CHANGED', kind: 'ABORTED' });
    expect(h.store.outbox).toHaveLength(before);
    expect(h.store.orders.get(order.id)!.order.status).toBe('FULFILLING');
  });
});

describe('returns: refunds as events, the last one a transition', () => {
  it('a partial refund notes OrderRefunded (not full); the last unit refunds the order REFUNDED', async () => {
    const h = checkoutHarness();
    const { order } = await h.checkout.execute(h.ctx, h.input());
    const [c, sig] = h.callback(order);
    await h.payments.callback(h.ctx, c, sig);
    const version = h.store.orders.get(order.id)!.order.version;

    const back = async (lines: { skuId: string; quantity: number }[]) => {
      const r = await h.returns.request(h.ctx, {
        orderId: order.id,
        accountId: ACCOUNT,
        lines,
        reason: 'too small',
      });
      await h.returns.review(h.ctx, r.id, true, '');
      return h.returns.receive(h.ctx, r.id);
    };
    const first = await back([{ skuId: SKU_A, quantity: 1 }]);
    expect(first.status).toBe('REFUNDED');
    // a note: the order keeps its state and version, the event says it was part of it
    expect(h.store.orders.get(order.id)!.order).toMatchObject({ status: 'FULFILLING', version });
    expect(h.store.outbox.at(-1)).toMatchObject({
      type: 'refunded',
      refundId: first.id,
      full: false,
    });
    const last = await back([
      { skuId: SKU_A, quantity: 1 },
      { skuId: SKU_B, quantity: 1 },
    ]);
    expect(h.store.orders.get(order.id)!.order).toMatchObject({
      status: 'REFUNDED',
      version: version + 1,
    });
    // each receipt settled its return for risk (ReturnSettled) before its refund
    expect(h.store.eventsOf(order.id)).toEqual([
      'placed',
      'paid',
      'returnSettled',
      'refunded',
      'returnSettled',
      'refunded',
    ]);
    expect(h.store.outbox.at(-1)).toMatchObject({ refundId: last.id, full: true });
    // the provider returned each refund once, with the return's id as its idempotency key
    expect(h.provider.refunds.map((r) => r.refundId)).toEqual([first.id, last.id]);
    expect(h.provider.refunds.reduce((n, r) => n + r.amountMinor, 0)).toBe(order.total.amountMinor);
  });
});

describe('imported orders', () => {
  const payload = {
    externalId: 'jd-1',
    accountId: ACCOUNT,
    currency: 'CNY',
    paidMinor: 29000,
    shippingMinor: 0,
    paidAt: '2026-11-11T00:00:00Z',
    address: anAddress(),
    lines: [
      { skuId: SKU_A, quantity: 2, unitPriceMinor: 10000 },
      { skuId: SKU_B, quantity: 1, unitPriceMinor: 10000 },
    ],
  };

  it('an import is PAID with OrderPlaced then OrderPaid, its stock committed; twice is one order', async () => {
    const h = checkoutHarness();
    const { order, created } = await h.imports.import(h.ctx, 'generic-json', payload);
    expect(created).toBe(true);
    expect(order).toMatchObject({ status: 'PAID', paidAt: new Date(payload.paidAt) });
    expect(h.store.outbox.filter((e) => e.orderId === order.id)).toEqual([
      { type: 'placed', orderId: order.id, status: 'PAID', couponCodes: [] },
      { type: 'paid', orderId: order.id, status: 'PAID' },
    ]);
    expect(h.catalog.calls.filter((x) => x.method === 'commit')).toHaveLength(1);
    const again = await h.imports.import(h.ctx, 'generic-json', payload);
    expect(again).toMatchObject({ created: false, order: { id: order.id } });
    expect(h.store.eventsOf(order.id)).toEqual(['placed', 'paid']);
  });

  it('an import whose stock is short records nothing and holds nothing', async () => {
    const h = checkoutHarness();
    await expect(
      h.imports.import(h.ctx, 'generic-json', {
        ...payload,
        lines: [{ skuId: SKU_A, quantity: 101, unitPriceMinor: 290 }],
      }),
    ).rejects.toMatchObject({ code: 'STOCK_INSUFFICIENT' });
    expect(h.store.orders.size).toBe(0);
    expect(h.store.outbox).toEqual([]);
  });
});
