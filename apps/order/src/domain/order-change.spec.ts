import { aPricedCart, anOrder, money } from '../testing/builders';
import { importedPaid } from './imported-order';
import { amend, note, placed, transition } from './order-change';

const now = new Date('2026-11-25T10:05:00Z');

describe('order transitions record their events', () => {
  it('PAY moves to PAID, bumps the version and records OrderPaid once', () => {
    const order = anOrder().build();
    const change = transition(order, 'PAY', { paidAt: now }, now, order.version);
    expect(change.order).toMatchObject({ status: 'PAID', paidAt: now, version: 2 });
    expect(change.baseVersion).toBe(1);
    expect(change.events).toEqual([{ type: 'paid', order: change.order }]);
    // the input is untouched: a retry from it records nothing twice
    expect(order.status).toBe('PENDING_PAYMENT');
  });

  it('CANCEL and REJECT record OrderCancelled with the coupons and the reason', () => {
    const cancel = transition(
      anOrder().build(),
      'CANCEL',
      { cancelReason: 'PAYMENT_TIMEOUT', couponCodes: ['C1'] },
      now,
    );
    expect(cancel.events).toEqual([
      { type: 'cancelled', order: cancel.order, couponCodes: ['C1'] },
    ]);
    expect(cancel.order.cancelReason).toBe('PAYMENT_TIMEOUT');
    const reject = transition(
      anOrder().heldForReview().build(),
      'REJECT',
      { cancelReason: 'RISK_REJECTED', couponCodes: [] },
      now,
    );
    expect(reject.order.status).toBe('CANCELLED');
    expect(reject.events.map((e) => e.type)).toEqual(['cancelled']);
  });

  it('APPROVE opens a fresh payment window and records nothing', () => {
    const deadline = new Date(now.getTime() + 900_000);
    const change = transition(
      anOrder().heldForReview().build(),
      'APPROVE',
      { paymentDeadline: deadline },
      now,
    );
    expect(change.order).toMatchObject({ status: 'PENDING_PAYMENT', paymentDeadline: deadline });
    expect(change.events).toEqual([]);
  });

  it('REFUND_ALL records a full OrderRefunded with the refund id and amount', () => {
    const paid = anOrder().with({ status: 'DELIVERED', version: 5 }).build();
    const change = transition(paid, 'REFUND_ALL', { refundId: 'r1', amount: money(100) }, now);
    expect(change.events).toEqual([
      { type: 'refunded', order: change.order, refundId: 'r1', amount: money(100), full: true },
    ]);
    expect(change).toMatchObject({ baseVersion: 5, order: { status: 'REFUNDED', version: 6 } });
  });

  it('an illegal move throws ORDER_TRANSITION_INVALID and records nothing', () => {
    const cancelled = anOrder().with({ status: 'CANCELLED' }).build();
    expect(() => transition(cancelled, 'PAY', { paidAt: now }, now)).toThrow(
      expect.objectContaining({ code: 'ORDER_TRANSITION_INVALID', kind: 'FAILED_PRECONDITION' }),
    );
  });

  it('a stale expected version throws ORDER_CHANGED before anything moves', () => {
    const order = anOrder().with({ version: 3 }).build();
    expect(() => transition(order, 'PAY', { paidAt: now }, now, 2)).toThrow(
      expect.objectContaining({ code: 'ORDER_CHANGED', kind: 'ABORTED' }),
    );
  });

  it('chained moves keep the first base version and their events in order', () => {
    const order = anOrder().with({ status: 'SHIPPED', version: 4 }).build();
    const shipment = { id: 's1' } as never;
    const noted = note(order, { type: 'tracked', shipment, event: {} as never });
    const delivered = transition(noted, 'DELIVER', {}, now);
    expect(delivered.baseVersion).toBe(4);
    expect(delivered.order).toMatchObject({ status: 'DELIVERED', version: 5 });
    expect(delivered.events.map((e) => [e.type, e.order.status])).toEqual([['tracked', 'SHIPPED']]);
  });

  it('a note records an event without moving or bumping the version', () => {
    const order = anOrder().with({ status: 'PAID', version: 2 }).build();
    const change = note(order, { type: 'refunded', refundId: 'x', amount: money(1), full: false });
    expect(change.order).toBe(order);
    expect(change.baseVersion).toBe(2);
    expect(change.events).toHaveLength(1);
  });

  it('amend bumps the version without an event; placed is new with OrderPlaced', () => {
    const order = anOrder().build();
    expect(amend(order, { groupStatus: 'CONFIRMED' }, now)).toMatchObject({
      baseVersion: 1,
      order: { version: 2, groupStatus: 'CONFIRMED' },
      events: [],
    });
    expect(placed(order, ['C'])).toEqual({
      order,
      baseVersion: null,
      events: [{ type: 'placed', order, couponCodes: ['C'] }],
    });
  });
});

describe('imported orders: an explicit choice of events', () => {
  it('a PAID import records OrderPlaced then OrderPaid, both with the paid order', () => {
    const paidAt = new Date('2026-11-11T00:00:00Z');
    const fresh = anOrder()
      .pricedAs(aPricedCart().line('a', 2, 5000, 1000).shipping(600).build())
      .build();
    const change = importedPaid(fresh, paidAt, now);
    expect(change.baseVersion).toBeNull();
    expect(change.order).toMatchObject({ status: 'PAID', paidAt, version: 2 });
    // marketing counts the first order from OrderPlaced; user adds spend and points from
    // OrderPaid with what was paid on the marketplace (a later refund takes exactly that back)
    expect(change.events).toEqual([
      { type: 'placed', order: change.order, couponCodes: [] },
      { type: 'paid', order: change.order },
    ]);
    expect(change.order.total.amountMinor).toBe(9600);
  });
});
