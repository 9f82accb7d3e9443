import { Money } from '@emporia/money';
import { placeOrder, type Order } from './order';
import {
  fullyRefunded,
  markRestocked,
  moveReturn,
  pendingStep,
  receiveReturn,
  refundFor,
  refundInsteadOfExchange,
  requestReturn,
  reviewReturn,
  type ReturnChange,
  type ReturnDomainEvent,
  type ReturnRequest,
} from './returns';

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
const ask = (
  o: Order,
  existing: ReturnRequest[],
  lines: { skuId: string; quantity: number }[],
  kind: 'REFUND' | 'EXCHANGE' = 'REFUND',
) => requestReturn(o, existing, { id: `r${++seq}`, lines, reason: 'does not fit', now, kind });
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
    const rejected = moveReturn(first, 'REJECT', now).request;
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
    const received = moveReturn(moveReturn(r, 'APPROVE', now).request, 'RECEIVE', now).request;
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

/** Applies changes in turn, keeping the events they recorded. */
function run(r: ReturnRequest, ...steps: ((r: ReturnRequest) => ReturnChange)[]) {
  const events: ReturnDomainEvent[] = [];
  for (const step of steps) {
    const change = step(r);
    r = change.request;
    events.push(...change.events);
  }
  return { r, events };
}
const approve =
  (note = '') =>
  (r: ReturnRequest) =>
    reviewReturn(r, { approve: true, note }, now);
const reject =
  (note = '') =>
  (r: ReturnRequest) =>
    reviewReturn(r, { approve: false, note }, now);
const refundOnly = (r: ReturnRequest) =>
  reviewReturn(r, { approve: true, refundOnly: true, note: '仅退款' }, now);
const receive =
  (itemsMismatch = false, note = '') =>
  (r: ReturnRequest) =>
    receiveReturn(r, { itemsMismatch, note }, now);
const restock = (r: ReturnRequest) => markRestocked(r, now);
const startRefund = (o: Order, done: ReturnRequest[]) => (r: ReturnRequest) =>
  moveReturn(r, 'START_REFUND', now, { refund: refundFor(o, done, r) });
const finishRefund = (r: ReturnRequest) => moveReturn(r, 'FINISH_REFUND', now);
const replace = (r: ReturnRequest) => moveReturn(r, 'REPLACE', now);

describe('returns: mismatched receipts (DISPUTED)', () => {
  it('an approved return received with other items is DISPUTED, settled once with the mismatch, the note kept', () => {
    const o = paidOrder();
    const { r, events } = run(
      ask(o, [], [{ skuId: 'A', quantity: 2 }]),
      approve(),
      receive(true, 'a brick instead of the kettle'),
    );
    expect(r).toMatchObject({
      status: 'DISPUTED',
      itemsMismatch: true,
      restocked: false,
      refund: null,
      note: 'a brick instead of the kettle',
    });
    // nothing to do until an operator decides: no restock, no refund, no exchange
    expect(pendingStep(r)).toBeNull();
    expect(() => restock(r)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    expect(events).toEqual([
      {
        type: 'settled',
        returnId: r.id,
        orderId: 'o1',
        accountId: 'u1',
        kind: 'REFUND',
        lineCount: 1,
        unitCount: 2,
        itemsMismatch: true,
        settledAt: now,
      },
    ]);
  });

  it('approved by an operator it carries on as a whole receipt: restock, then refund, no second settlement', () => {
    const o = paidOrder();
    const { r, events } = run(
      ask(o, [], [{ skuId: 'A', quantity: 1 }]),
      approve(),
      receive(true, 'wrong colour'),
      approve(),
    );
    expect(r).toMatchObject({ status: 'RECEIVED', itemsMismatch: true, note: 'wrong colour' });
    expect(pendingStep(r)).toBe('RESTOCK');
    const done = run(r, restock, startRefund(o, []), finishRefund);
    expect(done.r).toMatchObject({ status: 'REFUNDED', restocked: true });
    expect(done.r.refund!.amountMinor).toBe(3334);
    expect([...events, ...done.events].filter((e) => e.type === 'settled')).toHaveLength(1);
  });

  it('an accepted dispute of an exchange ships the replacement', () => {
    const o = paidOrder();
    const { r, events } = run(
      ask(o, [], [{ skuId: 'B', quantity: 1 }], 'EXCHANGE'),
      approve(),
      receive(true),
      approve('the right item after all'),
      restock,
    );
    expect(pendingStep(r)).toBe('REPLACE');
    expect(replace(r).request.status).toBe('EXCHANGED');
    expect(events.map((e) => [e.kind, e.itemsMismatch])).toEqual([['EXCHANGE', true]]);
    expect(r.note).toBe('the right item after all');
  });

  it('rejected by an operator it ends REJECTED, nothing refunded, and its units can be asked for again', () => {
    const o = paidOrder();
    const { r, events } = run(
      ask(o, [], [{ skuId: 'A', quantity: 3 }]),
      approve(),
      receive(true, 'empty box'),
      reject(),
    );
    expect(r).toMatchObject({
      status: 'REJECTED',
      refund: null,
      restocked: false,
      note: 'empty box',
    });
    expect(pendingStep(r)).toBeNull();
    expect(events).toHaveLength(1);
    // the genuine goods may still come back, through a new return with its own receipt
    expect(ask(o, [r], [{ skuId: 'A', quantity: 3 }]).status).toBe('REQUESTED');
  });

  it('a dispute is decided once; receiving it again, or before approval, is a transition error', () => {
    const o = paidOrder();
    const requested = ask(o, [], [{ skuId: 'A', quantity: 1 }]);
    expect(() => receive(true)(requested)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID', kind: 'FAILED_PRECONDITION' }),
    );
    const disputed = run(requested, approve(), receive(true)).r;
    for (const step of [receive(), receive(true)])
      expect(() => step(disputed)).toThrow(
        expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
      );
    const rejected = reject()(disputed).request;
    for (const step of [approve(), reject(), receive()])
      expect(() => step(rejected)).toThrow(
        expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
      );
  });
});

describe('returns: refund-only (仅退款)', () => {
  it('an approval with refund_only makes it REFUND_ONLY, RECEIVED with nothing restocked, settled once', () => {
    const o = paidOrder();
    const { r, events } = run(
      ask(
        o,
        [],
        [
          { skuId: 'A', quantity: 2 },
          { skuId: 'B', quantity: 1 },
        ],
      ),
      refundOnly,
    );
    expect(r).toMatchObject({
      status: 'RECEIVED',
      kind: 'REFUND_ONLY',
      restocked: false,
      note: '仅退款',
    });
    // straight to the refund: nothing comes back, nothing to restock
    expect(pendingStep(r)).toBe('START_REFUND');
    expect(() => restock(r)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'REFUND_ONLY',
        lineCount: 2,
        unitCount: 3,
        itemsMismatch: false,
      }),
    ]);
    const done = run(r, startRefund(o, []), finishRefund);
    expect(done.r).toMatchObject({ status: 'REFUNDED', restocked: false });
    // the units' exact shares, as a refund after a receipt: 3334 + 3334 of A, 500 of B
    expect(done.r.refund!.amountMinor).toBe(7168);
    expect(done.events).toEqual([]);
  });

  it('refunds exactly like a return with the goods: every unit of a line adds up to what was paid', () => {
    const o = paidOrder();
    const done: ReturnRequest[] = [];
    const only = run(
      ask(o, done, [{ skuId: 'A', quantity: 1 }]),
      refundOnly,
      startRefund(o, done),
      finishRefund,
    ).r;
    done.push(only);
    const back = run(
      ask(o, done, [{ skuId: 'A', quantity: 2 }]),
      approve(),
      receive(),
      restock,
      startRefund(o, done),
      finishRefund,
    ).r;
    done.push(back);
    expect(done.map((r) => r.refund!.amountMinor)).toEqual([3334, 6667]);
    expect(
      Money.sum(
        done.map((r) => r.refund!),
        'CNY',
      ).equals(cny(10001)),
    ).toBe(true);
    expect(fullyRefunded(o, [only], back)).toBe(false);
    const b = run(ask(o, done, [{ skuId: 'B', quantity: 1 }]), refundOnly).r;
    expect(fullyRefunded(o, done, b)).toBe(true);
  });

  it('an exchange request approved as refund-only becomes REFUND_ONLY', () => {
    const o = paidOrder();
    const { r, events } = run(ask(o, [], [{ skuId: 'B', quantity: 1 }], 'EXCHANGE'), refundOnly);
    expect(r.kind).toBe('REFUND_ONLY');
    expect(pendingStep(r)).toBe('START_REFUND');
    expect(events.map((e) => e.kind)).toEqual(['REFUND_ONLY']);
  });

  it('refund_only needs approve (INVALID_ARGUMENT) and a REQUESTED return (FAILED_PRECONDITION)', () => {
    const o = paidOrder();
    const requested = ask(o, [], [{ skuId: 'A', quantity: 1 }]);
    expect(() => reviewReturn(requested, { approve: false, refundOnly: true }, now)).toThrow(
      expect.objectContaining({
        kind: 'INVALID_ARGUMENT',
        code: 'RETURN_REFUND_ONLY_NEEDS_APPROVE',
        details: { field: 'refund_only' },
      }),
    );
    const approved = approve()(requested).request;
    const disputed = receive(true)(approved).request;
    const only = refundOnly(requested).request;
    for (const r of [approved, disputed, only, reject()(requested).request])
      expect(() => refundOnly(r)).toThrow(
        expect.objectContaining({
          kind: 'FAILED_PRECONDITION',
          code: 'RETURN_REFUND_ONLY_NOT_REQUESTED',
          details: { status: r.status },
        }),
      );
    // nor is a refund-only return received
    expect(() => receive()(only)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
  });
});

describe('returns: ReturnSettled, once per return', () => {
  it('is recorded by the first of receipt, mismatched receipt and refund-only approval, on every path', () => {
    const o = paidOrder();
    const r = () => ask(o, [], [{ skuId: 'A', quantity: 1 }]);
    const x = () => ask(o, [], [{ skuId: 'A', quantity: 1 }], 'EXCHANGE');
    const paths: [string, ReturnRequest, ((r: ReturnRequest) => ReturnChange)[], string[]][] = [
      ['rejected at once', r(), [reject()], []],
      ['approved, not received yet', r(), [approve()], []],
      [
        'received, refunded',
        r(),
        [approve(), receive(), restock, startRefund(o, []), finishRefund],
        ['REFUND'],
      ],
      ['exchanged', x(), [approve(), receive(), restock, replace], ['EXCHANGE']],
      [
        'exchange out of stock, refunded',
        x(),
        [
          approve(),
          receive(),
          restock,
          (q) => refundInsteadOfExchange(q, now),
          startRefund(o, []),
          finishRefund,
        ],
        ['EXCHANGE'],
      ],
      ['mismatch, rejected', r(), [approve(), receive(true), reject()], ['REFUND']],
      [
        'mismatch, accepted, refunded',
        r(),
        [approve(), receive(true), approve(), restock, startRefund(o, []), finishRefund],
        ['REFUND'],
      ],
      ['refund-only', r(), [refundOnly, startRefund(o, []), finishRefund], ['REFUND_ONLY']],
    ];
    for (const [name, start, steps, kinds] of paths) {
      const { events } = run(start, ...steps);
      expect([name, events.map((e) => e.kind)]).toEqual([name, kinds]);
    }
  });

  it('counts distinct SKUs and units', () => {
    const o = paidOrder();
    const r = requestReturn(o, [], {
      id: 'rx',
      lines: [
        { skuId: 'A', quantity: 1 },
        { skuId: 'B', quantity: 1 },
        { skuId: 'A', quantity: 1 },
      ],
      reason: 'all of it',
      now,
    });
    const { events } = run(r, approve(), receive());
    expect(events).toEqual([
      expect.objectContaining({ lineCount: 2, unitCount: 3, kind: 'REFUND' }),
    ]);
  });
});

describe('returns: what a received return still needs', () => {
  it('restock before the refund, a replacement only for a restocked exchange', () => {
    const o = paidOrder();
    const received = run(ask(o, [], [{ skuId: 'A', quantity: 1 }]), approve(), receive()).r;
    expect(pendingStep(received)).toBe('RESTOCK');
    expect(() => startRefund(o, [])(received)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    expect(() => replace(received)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    const restocked = restock(received).request;
    expect(restock(restocked).request).toBe(restocked);
    expect(pendingStep(restocked)).toBe('START_REFUND');
    expect(() => replace(restocked)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    const exchange = run(
      ask(o, [], [{ skuId: 'B', quantity: 1 }], 'EXCHANGE'),
      approve(),
      receive(),
      restock,
    ).r;
    expect(() => startRefund(o, [])(exchange)).toThrow(
      expect.objectContaining({ code: 'RETURN_TRANSITION_INVALID' }),
    );
    const refunded = refundInsteadOfExchange(exchange, now).request;
    expect(refunded).toMatchObject({
      kind: 'REFUND',
      note: 'exchanged units out of stock: refunded',
    });
    expect(pendingStep(refunded)).toBe('START_REFUND');
    for (const status of [
      'REQUESTED',
      'APPROVED',
      'DISPUTED',
      'REJECTED',
      'REFUNDED',
      'EXCHANGED',
    ] as const)
      expect(pendingStep({ ...refunded, status })).toBeNull();
    expect(pendingStep({ ...refunded, status: 'REFUNDING' })).toBe('COMPLETE_REFUND');
  });

  it('a review note replaces the note, an empty one keeps it; notes are cut at 500 characters', () => {
    const o = paidOrder();
    const disputed = run(
      ask(o, [], [{ skuId: 'A', quantity: 1 }]),
      approve('ok'),
      receive(true, '  odd parcel  '),
    ).r;
    expect(disputed.note).toBe('odd parcel');
    expect(approve()(disputed).request.note).toBe('odd parcel');
    const long = '退'.repeat(499) + '😀😀';
    expect([...approve(long)(disputed).request.note!]).toHaveLength(500);
  });
});
