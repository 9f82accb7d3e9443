import {
  cancellationFacts,
  deliveryFacts,
  NO_RETURNS,
  returnRate,
  settledReturnFacts,
  statsOf,
  type ReturnFact,
} from './return-facts';

/** The return history kept from order events (issue 24): which facts an event records. */
describe('return facts', () => {
  const at = new Date('2026-11-20T10:00:00Z');
  const delivered = (over: Partial<Parameters<typeof deliveryFacts>[0]> = {}) =>
    deliveryFacts({
      shipmentId: 'sh-1',
      accountId: 'acc-1',
      status: 'DELIVERED',
      lineCount: 3,
      replacement: false,
      occurredAt: at,
      ...over,
    });
  const settled = (over: Partial<Parameters<typeof settledReturnFacts>[0]> = {}) =>
    settledReturnFacts({
      returnId: 'ret-1',
      accountId: 'acc-1',
      kind: 'REFUND',
      lineCount: 2,
      itemsMismatch: false,
      settledAt: at,
      ...over,
    });
  const short = (facts: ReturnFact[]) => facts.map((f) => [f.id, f.kind, f.lines]);

  it('a first delivery records its lines once per shipment', () => {
    expect(delivered()).toEqual([
      { id: 'DELIVERED:sh-1', accountId: 'acc-1', kind: 'DELIVERED', lines: 3, occurredAt: at },
    ]);
  });

  it('other statuses, an exchange’s replacement and an empty shipment record nothing', () => {
    expect(delivered({ status: 'IN_TRANSIT' })).toEqual([]);
    expect(delivered({ replacement: true })).toEqual([]);
    expect(delivered({ lineCount: 0 })).toEqual([]);
  });

  it('a delivery without ids or with negative lines is refused', () => {
    expect(() => delivered({ accountId: '' })).toThrow(
      expect.objectContaining({ code: 'RETURN_EVENT_INVALID' }),
    );
    expect(() => delivered({ lineCount: -1 })).toThrow(/line_count must be 0 or more/);
  });

  it.each([
    ['REFUND', false, [['RETURNED:ret-1', 'RETURNED', 2]]],
    [
      'EXCHANGE',
      false,
      [
        ['RETURNED:ret-1', 'RETURNED', 2],
        ['EXCHANGE:ret-1', 'EXCHANGE', 1],
      ],
    ],
    // not returned goods: a refund without a return, outside the return rate
    ['REFUND_ONLY', false, [['REFUND_ONLY:ret-1', 'REFUND_ONLY', 1]]],
    [
      'REFUND',
      true,
      [
        ['RETURNED:ret-1', 'RETURNED', 2],
        ['ITEMS_MISMATCH:ret-1', 'ITEMS_MISMATCH', 1],
      ],
    ],
  ])('a settled %s return (mismatch %s)', (kind, itemsMismatch, want) => {
    expect(short(settled({ kind, itemsMismatch }))).toEqual(want);
  });

  it('a return of an unknown kind or without ids is refused', () => {
    expect(() => settled({ kind: 'STORE_CREDIT' })).toThrow(
      /kind is one of REFUND, EXCHANGE, REFUND_ONLY, not 'STORE_CREDIT'/,
    );
    expect(() => settled({ returnId: '' })).toThrow(
      expect.objectContaining({ code: 'RETURN_EVENT_INVALID' }),
    );
  });

  it('adds facts up from the start of a window, and the rate has one decimal', () => {
    const facts = [
      ...delivered({ lineCount: 4 }),
      ...delivered({ shipmentId: 'sh-0', occurredAt: new Date('2026-01-01T00:00:00Z') }),
      ...settled({ kind: 'EXCHANGE', itemsMismatch: true }),
      ...settled({ returnId: 'ret-2', kind: 'REFUND_ONLY' }),
      ...settled({ returnId: 'ret-3', lineCount: 1 }),
    ];
    const s = statsOf(facts, new Date('2026-11-01T00:00:00Z'));
    expect(s).toEqual({
      deliveredLines: 4,
      returnedLines: 3,
      exchanges: 1,
      refundsWithoutReturn: 1,
      itemsMismatches: 1,
      cancellations: 0,
    });
    expect(returnRate(s)).toBe(75);
    expect(returnRate({ ...NO_RETURNS, deliveredLines: 3, returnedLines: 2 })).toBe(66.7);
    expect(returnRate(NO_RETURNS)).toBeNull();
  });

  it('a cancelled order is one fact per order, counted as a cancellation (issue 23)', () => {
    const facts = cancellationFacts({ orderId: 'o-1', accountId: 'acc-1', cancelledAt: at });
    expect(facts).toEqual([
      { id: 'CANCELLED:o-1', accountId: 'acc-1', kind: 'CANCELLED', lines: 1, occurredAt: at },
    ]);
    expect(statsOf([...facts, ...delivered()], new Date(0))).toEqual({
      ...NO_RETURNS,
      deliveredLines: 3,
      cancellations: 1,
    });
    expect(() => cancellationFacts({ orderId: '', accountId: 'acc-1', cancelledAt: at })).toThrow(
      expect.objectContaining({ code: 'RETURN_EVENT_INVALID' }),
    );
  });
});
