import { Money } from '@emporia/money';
import { addToLine, type Cart, MAX_CART_LINES, mergeCarts, setLine } from './cart';
import { applyEvent, checkPricing, paymentOverdue, placeOrder, type PricedCart } from './order';
import { canMove, nextStatus, ORDER_STATUSES, type OrderEvent } from './order-state-machine';
import {
  canonicalCallback,
  checkCallbackFields,
  checkCallbackFreshness,
  decideCallback,
  type PaymentCallback,
} from './payment';

const cny = (n: number) => Money.of(n, 'CNY');
const now = new Date('2026-11-25T10:00:00Z');

const priced = (over: Partial<PricedCart> = {}): PricedCart => ({
  currency: 'CNY',
  lines: [
    {
      skuId: 'a',
      productId: 'p',
      title: 'A',
      quantity: 2,
      unitPrice: cny(15000),
      discount: cny(3000),
      total: cny(27000),
    },
    {
      skuId: 'b',
      productId: 'p',
      title: 'B',
      quantity: 1,
      unitPrice: cny(20000),
      discount: cny(2000),
      total: cny(18000),
    },
  ],
  subtotal: cny(50000),
  discount: cny(5000),
  shipping: cny(1000),
  total: cny(46000),
  explanation: ['满500减50'],
  pricedBy: 'test',
  ...over,
});

const allow = { decision: 'ALLOW' as const, score: 1, reasons: [], degraded: false };
const address = {
  recipient: 'R',
  phone: '+8613800138000',
  country: 'CN',
  province: 'P',
  city: 'C',
  district: '',
  line1: 'L',
  line2: '',
  postalCode: '',
};
const place = (risk = allow) =>
  placeOrder({
    id: 'o1',
    accountId: 'u1',
    priced: priced(),
    risk,
    reservationId: 'r1',
    address,
    now,
    paymentTtlMs: 60_000,
  });

describe('order state machine', () => {
  it('allows exactly the listed moves', () => {
    const allowed: [string, OrderEvent][] = [];
    const events: OrderEvent[] = [
      'APPROVE',
      'REJECT',
      'PAY',
      'CANCEL',
      'START_FULFILMENT',
      'SHIP',
      'DELIVER',
      'COMPLETE',
      'REFUND_ALL',
    ];
    for (const s of ORDER_STATUSES) for (const e of events) if (canMove(s, e)) allowed.push([s, e]);
    expect(allowed).toHaveLength(15);
    expect(nextStatus('PENDING_PAYMENT', 'PAY')).toBe('PAID');
    expect(nextStatus('PENDING_REVIEW', 'APPROVE')).toBe('PENDING_PAYMENT');
  });

  it.each<[(typeof ORDER_STATUSES)[number], OrderEvent]>([
    ['CANCELLED', 'PAY'],
    ['PAID', 'CANCEL'],
    ['PENDING_REVIEW', 'PAY'],
    ['PAID', 'PAY'],
    ['REFUNDED', 'REFUND_ALL'],
  ])('refuses %s → %s with ORDER_TRANSITION_INVALID', (from, event) => {
    expect(() => nextStatus(from, event)).toThrow(
      expect.objectContaining({ code: 'ORDER_TRANSITION_INVALID' }),
    );
  });
});

describe('placing an order', () => {
  it('needs a priced cart that adds up exactly', () => {
    expect(() => checkPricing(priced())).not.toThrow();
    expect(() => checkPricing(priced({ total: cny(46001) }))).toThrow(
      expect.objectContaining({ code: 'PRICING_INCONSISTENT' }),
    );
    expect(() => checkPricing(priced({ discount: cny(4999) }))).toThrow(
      expect.objectContaining({ code: 'PRICING_INCONSISTENT' }),
    );
    expect(() => checkPricing(priced({ lines: [] }))).toThrow(
      expect.objectContaining({ code: 'CART_EMPTY' }),
    );
  });

  it('awaits payment, or review when risk says so; never exists when rejected', () => {
    expect(place()).toMatchObject({
      status: 'PENDING_PAYMENT',
      version: 1,
      paymentDeadline: new Date(now.getTime() + 60_000),
    });
    expect(place({ ...allow, decision: 'REVIEW' as never }).status).toBe('PENDING_REVIEW');
    expect(() => place({ ...allow, decision: 'REJECT' as never })).toThrow(
      expect.objectContaining({ code: 'ORDER_REJECTED' }),
    );
  });

  it('moves with versions and knows when payment is overdue', () => {
    const o = place();
    expect(paymentOverdue(o, now)).toBe(false);
    expect(paymentOverdue(o, new Date(now.getTime() + 60_000))).toBe(true);
    const paid = applyEvent(o, 'PAY', now, { paidAt: now });
    expect(paid).toMatchObject({ status: 'PAID', version: 2, paidAt: now });
    expect(paymentOverdue(paid, new Date(now.getTime() + 3_600_000))).toBe(false);
  });
});

describe('carts', () => {
  const cart = (lines: Cart['lines'] = []): Cart => ({
    id: 'c',
    owner: { accountId: 'u' },
    lines,
    updatedAt: now,
  });

  it('sets, adds (capped) and removes lines', () => {
    let c = setLine(cart(), 'a', 2, now);
    c = addToLine(c, 'a', 3, now);
    expect(c.lines).toEqual([{ skuId: 'a', quantity: 5 }]);
    expect(addToLine(c, 'a', 5000, now).lines[0].quantity).toBe(999);
    expect(setLine(c, 'a', 0, now).lines).toEqual([]);
    expect(() => setLine(c, 'a', 1.5, now)).toThrow(
      expect.objectContaining({ code: 'QUANTITY_INVALID' }),
    );
    expect(() => setLine(c, 'a', -1, now)).toThrow(
      expect.objectContaining({ code: 'QUANTITY_INVALID' }),
    );
  });

  it('merges a guest cart into the account cart, adding quantities and reporting overflow', () => {
    const full = cart(
      Array.from({ length: MAX_CART_LINES }, (_, i) => ({ skuId: `s${i}`, quantity: 1 })),
    );
    const guest = cart([
      { skuId: 's0', quantity: 2 },
      { skuId: 'new', quantity: 1 },
    ]);
    const { cart: merged, dropped } = mergeCarts(full, guest, now);
    expect(merged.lines[0]).toEqual({ skuId: 's0', quantity: 3 });
    expect(merged.lines).toHaveLength(MAX_CART_LINES);
    expect(dropped).toEqual([{ skuId: 'new', quantity: 1 }]);
  });
});

describe('payment callbacks', () => {
  const cb = (over: Partial<PaymentCallback> = {}): PaymentCallback => ({
    provider: 'sandbox',
    providerTxnId: 't1',
    orderId: 'o1',
    amountMinor: 46000,
    currency: 'CNY',
    status: 'SUCCEEDED',
    timestamp: Math.floor(now.getTime() / 1000),
    ...over,
  });

  it('pays a payable order only with the exact amount; late money is refunded', () => {
    const order = { status: 'PENDING_PAYMENT', total: cny(46000) };
    expect(decideCallback(cb(), order)).toBe('PAID');
    expect(decideCallback(cb({ amountMinor: 45999 }), order)).toBe('AMOUNT_MISMATCH');
    expect(decideCallback(cb({ currency: 'USD' }), order)).toBe('AMOUNT_MISMATCH');
    expect(decideCallback(cb({ status: 'FAILED' }), order)).toBe('FAILED');
    expect(decideCallback(cb(), { ...order, status: 'CANCELLED' })).toBe('REFUND_LATE_PAYMENT');
    expect(decideCallback(cb(), { ...order, status: 'PAID' })).toBe('REFUND_LATE_PAYMENT');
  });

  it('refuses fields that would make the canonical form ambiguous', () => {
    expect(() => checkCallbackFields(cb())).not.toThrow();
    // "t1\no1" as a transaction id would sign the same bytes as other fields split elsewhere
    for (const over of [
      { providerTxnId: 't1\no1' },
      { providerTxnId: 't1\r' },
      { provider: 'sandbox\nt1' },
      { currency: 'CN\u0000' },
    ])
      expect(() => checkCallbackFields(cb(over))).toThrow(
        expect.objectContaining({ code: 'PAYMENT_CALLBACK_INVALID' }),
      );
  });

  it('signs a fixed canonical form and refuses stale callbacks', () => {
    expect(canonicalCallback(cb())).toBe(
      `sandbox\nt1\no1\n46000\nCNY\nSUCCEEDED\n${cb().timestamp}`,
    );
    expect(() => checkCallbackFreshness(cb(), now)).not.toThrow();
    expect(() => checkCallbackFreshness(cb({ timestamp: cb().timestamp - 601 }), now)).toThrow(
      expect.objectContaining({ code: 'PAYMENT_CALLBACK_STALE' }),
    );
    expect(() => checkCallbackFreshness(cb({ timestamp: cb().timestamp + 120 }), now)).toThrow(
      expect.objectContaining({ code: 'PAYMENT_CALLBACK_STALE' }),
    );
  });
});
