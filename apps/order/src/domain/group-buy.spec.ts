import { Money } from '@emporia/money';
import { checkoutPromotion, promotionFingerprint } from './checkout-promotion';
import {
  checkGroupAnswer,
  confirmGroup,
  failGroup,
  groupAllowsFulfilment,
  MAX_HOLD_MS,
  refundDue,
  refundFailedGroup,
  reservationAction,
  reservationHoldMs,
  settleAtPlacement,
  type GroupDecision,
} from './group-buy';
import { applyEvent, placeOrder, type Order, type PricedCart } from './order';
import type { OrderStatus } from './order-state-machine';

const cny = (n: number) => Money.of(n, 'CNY');
const now = new Date('2026-11-25T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

const priced = (over: Partial<PricedCart> = {}): PricedCart => ({
  currency: 'CNY',
  lines: [
    {
      skuId: 'a',
      productId: 'p',
      title: 'A',
      quantity: 1,
      unitPrice: cny(10000),
      discount: cny(0),
      total: cny(10000),
    },
  ],
  subtotal: cny(10000),
  discount: cny(0),
  shipping: cny(0),
  total: cny(10000),
  explanation: [],
  pricedBy: 'test',
  ...over,
});

const place = (over: Partial<PricedCart> = {}, review = false) =>
  placeOrder({
    id: 'o1',
    accountId: 'u1',
    priced: priced(over),
    risk: { decision: review ? 'REVIEW' : 'ALLOW', score: 1, reasons: [], degraded: false },
    reservationId: 'r1',
    address: {
      recipient: 'R',
      phone: '+8613800138000',
      country: 'CN',
      province: 'P',
      city: 'C',
      district: '',
      line1: 'L',
      line2: '',
      postalCode: '',
    },
    now,
    paymentTtlMs: 60_000,
  });
const grouped = (review = false) =>
  place({ groupId: 'g1', groupDeadline: later(3_600_000) }, review);
const paid = (o: Order) => applyEvent(o, 'PAY', now, { paidAt: now });
const decision = (over: Partial<GroupDecision> = {}): GroupDecision => ({
  orderId: 'o1',
  groupId: 'g1',
  decision: 'CONFIRMED',
  reason: '',
  decidedAt: now,
  ...over,
});

describe('group buying: placing', () => {
  it('a group-buy order waits for its group; any other has none', () => {
    expect(grouped()).toMatchObject({ groupId: 'g1', groupStatus: 'PENDING' });
    expect(place()).toMatchObject({ groupId: null, groupStatus: null });
  });

  it('holds stock until the group closes plus the margin, never less than the payment window', () => {
    const base = { paymentTtlMs: 1_800_000, marginMs: 300_000, now };
    expect(reservationHoldMs(base)).toBe(2_100_000);
    expect(reservationHoldMs({ ...base, groupDeadline: later(86_400_000) })).toBe(
      86_400_000 + 300_000,
    );
    // a group closing before the payment deadline keeps the usual hold
    expect(reservationHoldMs({ ...base, groupDeadline: later(60_000) })).toBe(2_100_000);
    expect(() => reservationHoldMs({ ...base, groupDeadline: later(MAX_HOLD_MS) })).toThrow(
      expect.objectContaining({ code: 'GROUP_DEADLINE_TOO_FAR' }),
    );
  });

  it('a group-buy checkout must come back in a group with a deadline, and only then', () => {
    const inGroup = priced({ groupId: 'g1', groupDeadline: later(1000) });
    expect(() => checkGroupAnswer(true, inGroup)).not.toThrow();
    expect(() => checkGroupAnswer(false, priced())).not.toThrow();
    for (const [requested, p] of [
      [true, priced()],
      [false, inGroup],
      [true, priced({ groupId: 'g1' })],
      [true, priced({ groupId: 'g1', groupDeadline: new Date('nope') })],
    ] as const)
      expect(() => checkGroupAnswer(requested, p)).toThrow(
        expect.objectContaining({ code: 'PRICING_INCONSISTENT' }),
      );
  });

  it('a decision that arrived while the checkout ran is applied when the order is placed', () => {
    expect(settleAtPlacement(grouped(), null).groupStatus).toBe('PENDING');
    expect(settleAtPlacement(grouped(), decision()).groupStatus).toBe('CONFIRMED');
    // a decision about another group is not this order's
    expect(settleAtPlacement(grouped(), decision({ groupId: 'g2' })).groupStatus).toBe('PENDING');
    expect(() => settleAtPlacement(grouped(), decision({ decision: 'FAILED' }))).toThrow(
      expect.objectContaining({ code: 'GROUP_BUY_FAILED', kind: 'FAILED_PRECONDITION' }),
    );
  });
});

describe('group buying: the reservation and fulfilment while the group is open', () => {
  it.each<[OrderStatus, Order['groupStatus'], string]>([
    ['PENDING_PAYMENT', null, 'HOLD'],
    ['PENDING_REVIEW', 'PENDING', 'HOLD'],
    ['PAID', null, 'COMMIT'],
    ['PAID', 'PENDING', 'HOLD'],
    ['PAID', 'CONFIRMED', 'COMMIT'],
    ['PAID', 'FAILED', 'RELEASE'],
    ['REFUNDED', 'FAILED', 'RELEASE'],
    ['CANCELLED', 'PENDING', 'RELEASE'],
    ['CANCELLED', null, 'RELEASE'],
    ['FULFILLING', 'CONFIRMED', 'COMMIT'],
  ])('%s with group %s: %s', (status, groupStatus, action) => {
    expect(reservationAction({ status, groupStatus })).toBe(action);
  });

  it('only orders without a group or with a confirmed one are fulfilled', () => {
    expect(groupAllowsFulfilment({ groupStatus: null })).toBe(true);
    expect(groupAllowsFulfilment({ groupStatus: 'CONFIRMED' })).toBe(true);
    expect(groupAllowsFulfilment({ groupStatus: 'PENDING' })).toBe(false);
    expect(groupAllowsFulfilment({ groupStatus: 'FAILED' })).toBe(false);
  });
});

describe('group buying: outcomes', () => {
  it('success confirms once; a later success changes nothing, a failure is a conflict', () => {
    const r = confirmGroup(paid(grouped()), now);
    if (!r.changed) throw new Error('expected a change');
    expect(r.order).toMatchObject({ status: 'PAID', groupStatus: 'CONFIRMED', version: 3 });
    expect(confirmGroup(r.order, now)).toEqual({ changed: false, conflict: false });
    expect(failGroup(r.order, now, [])).toEqual({ changed: false, conflict: true });
  });

  it('failure cancels an unpaid order (held or awaiting payment) with GROUP_BUY_FAILED', () => {
    for (const o of [grouped(), grouped(true)]) {
      const r = failGroup(o, now, ['C1']);
      if (!r.changed) throw new Error('expected a change');
      expect(r.effect).toBe('CANCEL');
      // one OrderCancelled, carrying the coupons and the order as saved (group FAILED)
      expect(r.events).toEqual([{ type: 'cancelled', order: r.order, couponCodes: ['C1'] }]);
      expect(r.baseVersion).toBe(o.version);
      expect(r.order).toMatchObject({
        status: 'CANCELLED',
        groupStatus: 'FAILED',
        cancelReason: 'GROUP_BUY_FAILED',
        version: 2,
      });
      expect(failGroup(r.order, now, [])).toEqual({ changed: false, conflict: false });
      expect(confirmGroup(r.order, now)).toEqual({ changed: false, conflict: true });
    }
  });

  it('failure marks a paid order for a full refund, which ends it REFUNDED once', () => {
    const r = failGroup(paid(grouped()), now, []);
    if (!r.changed) throw new Error('expected a change');
    expect(r.effect).toBe('REFUND');
    expect(r.order).toMatchObject({ status: 'PAID', groupStatus: 'FAILED' });
    expect(refundDue(r.order)).toBe(true);
    expect(r.events).toEqual([]);
    const refund = { refundId: 'group-o1', amount: cny(10000) };
    const { order: refunded, events } = refundFailedGroup(r.order, now, refund);
    expect(refunded).toMatchObject({ status: 'REFUNDED', cancelReason: 'GROUP_BUY_FAILED' });
    expect(events).toEqual([{ type: 'refunded', order: refunded, ...refund, full: true }]);
    expect(refundDue(refunded)).toBe(false);
    expect(() => refundFailedGroup(refunded, now, refund)).toThrow(
      expect.objectContaining({ code: 'ORDER_TRANSITION_INVALID' }),
    );
    expect(() => refundFailedGroup(paid(grouped()), now, refund)).toThrow(
      expect.objectContaining({ code: 'ORDER_TRANSITION_INVALID' }),
    );
  });

  it('failure of an order already cancelled only records the group status', () => {
    const cancelled = applyEvent(grouped(), 'CANCEL', now, { cancelReason: 'PAYMENT_TIMEOUT' });
    const r = failGroup(cancelled, now, []);
    if (!r.changed) throw new Error('expected a change');
    expect(r.effect).toBe('NONE');
    expect(r.order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_TIMEOUT' });
  });
});

describe('checkout promotions', () => {
  it('trims a flash token and a group deal, and a group needs its deal', () => {
    expect(checkoutPromotion({ flashToken: ' t1 ', groupDealId: 'd', groupId: '' })).toEqual({
      flashToken: 't1',
      groupDealId: 'd',
      groupId: '',
    });
    expect(() => checkoutPromotion({ groupId: 'g1' })).toThrow(
      expect.objectContaining({ code: 'GROUP_DEAL_REQUIRED' }),
    );
    expect(() => checkoutPromotion({ flashToken: 'a b' })).toThrow(
      expect.objectContaining({ code: 'PROMOTION_INVALID' }),
    );
    expect(() => checkoutPromotion({ groupDealId: 'd'.repeat(129) })).toThrow(
      expect.objectContaining({ code: 'PROMOTION_INVALID' }),
    );
  });

  it('fingerprints only what is set, so plain checkouts keep their fingerprint', () => {
    expect(promotionFingerprint(checkoutPromotion({}))).toEqual({});
    expect(promotionFingerprint(checkoutPromotion({ flashToken: 't' }))).toEqual({
      flashToken: 't',
    });
  });
});
