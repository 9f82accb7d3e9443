import { Money } from '@emporia/money';
import { placeOrder, type Order } from './order';
import { fullyRefunded, moveReturn, refundFor, requestReturn, type ReturnRequest } from './returns';

const cny = (n: number) => Money.of(n, 'CNY');
const now = new Date('2026-11-25T10:00:00Z');

/** A paid order: 3 × A at 3334 with 1 off in total (paid 10001), and 1 × B at 500. */
function paidOrder(): Order {
  const o = placeOrder({
    id: 'o1',
    accountId: 'u1',
    priced: {
      currency: 'CNY',
      lines: [
        {
          skuId: 'A',
          productId: 'p',
          title: 'A',
          quantity: 3,
          unitPrice: cny(3334),
          discount: cny(1),
          total: cny(10001),
        },
        {
          skuId: 'B',
          productId: 'p',
          title: 'B',
          quantity: 1,
          unitPrice: cny(500),
          discount: cny(0),
          total: cny(500),
        },
      ],
      subtotal: cny(10502),
      discount: cny(1),
      shipping: cny(0),
      total: cny(10501),
      explanation: [],
      pricedBy: 'test',
    },
    risk: { decision: 'ALLOW', score: 0, reasons: [], degraded: false },
    reservationId: 'r',
    address: {
      recipient: 'r',
      phone: 'p',
      country: 'CN',
      province: 'p',
      city: 'c',
      district: '',
      line1: 'l',
      line2: '',
      postalCode: '',
    },
    now,
    paymentTtlMs: 1000,
  });
  return { ...o, status: 'DELIVERED' };
}

let seq = 0;
const ask = (o: Order, existing: ReturnRequest[], lines: { skuId: string; quantity: number }[]) =>
  requestReturn(o, existing, { id: `r${++seq}`, lines, reason: 'does not fit', now });
const refunded = (o: Order, done: ReturnRequest[], r: ReturnRequest): ReturnRequest => ({
  ...r,
  status: 'REFUNDED',
  refund: refundFor(o, done, r),
});

describe('returns', () => {
  it('a group-buy order is returnable only once its group is confirmed', () => {
    const lines = [{ skuId: 'B', quantity: 1 }];
    for (const groupStatus of ['PENDING', 'FAILED'] as const)
      expect(() =>
        ask({ ...paidOrder(), status: 'PAID', groupId: 'g', groupStatus }, [], lines),
      ).toThrow(expect.objectContaining({ code: 'ORDER_NOT_RETURNABLE' }));
    expect(ask({ ...paidOrder(), groupId: 'g', groupStatus: 'CONFIRMED' }, [], lines).status).toBe(
      'REQUESTED',
    );
  });

  it('refunds every unit of a line, over any number of returns, to exactly what was paid', () => {
    const o = paidOrder();
    const done: ReturnRequest[] = [];
    for (const q of [1, 1, 1])
      done.push(refunded(o, done, ask(o, done, [{ skuId: 'A', quantity: q }])));
    expect(done.map((r) => r.refund!.amountMinor)).toEqual([3334, 3334, 3333]);
    expect(
      Money.sum(
        done.map((r) => r.refund!),
        'CNY',
      ).equals(cny(10001)),
    ).toBe(true);
    const split: ReturnRequest[] = [];
    split.push(refunded(o, split, ask(o, split, [{ skuId: 'A', quantity: 2 }])));
    split.push(refunded(o, split, ask(o, split, [{ skuId: 'A', quantity: 1 }])));
    expect(
      Money.sum(
        split.map((r) => r.refund!),
        'CNY',
      ).amountMinor,
    ).toBe(10001);
  });

  it('never takes back more than was bought; rejected returns free their units', () => {
    const o = paidOrder();
    const first = ask(o, [], [{ skuId: 'A', quantity: 2 }]);
    expect(() => ask(o, [first], [{ skuId: 'A', quantity: 2 }])).toThrow(
      expect.objectContaining({
        code: 'RETURN_QUANTITY_EXCEEDED',
        details: { skuId: 'A', left: 1 },
      }),
    );
    const rejected = moveReturn(first, 'REJECT', now);
    expect(ask(o, [rejected], [{ skuId: 'A', quantity: 3 }]).lines).toEqual([
      { skuId: 'A', quantity: 3 },
    ]);
    expect(() => ask(o, [], [{ skuId: 'Z', quantity: 1 }])).toThrow(
      expect.objectContaining({ code: 'RETURN_LINE_UNKNOWN' }),
    );
    expect(() =>
      ask({ ...o, status: 'PENDING_PAYMENT' }, [], [{ skuId: 'A', quantity: 1 }]),
    ).toThrow(expect.objectContaining({ code: 'ORDER_NOT_RETURNABLE' }));
  });

  it('moves through request → approve → receive → refund only', () => {
    const o = paidOrder();
    const r = ask(o, [], [{ skuId: 'B', quantity: 1 }]);
    expect(() => moveReturn(r, 'RECEIVE', now)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    const received = moveReturn(moveReturn(r, 'APPROVE', now), 'RECEIVE', now);
    expect(received.status).toBe('RECEIVED');
    expect(fullyRefunded(o, [], received)).toBe(false);
    const all = ask(
      o,
      [],
      [
        { skuId: 'A', quantity: 3 },
        { skuId: 'B', quantity: 1 },
      ],
    );
    expect(fullyRefunded(o, [], all)).toBe(true);
  });
});
