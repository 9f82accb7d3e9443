import { newContext } from '@emporia/platform';
import {
  aRule,
  anOrder,
  FakeClock,
  InMemoryReturnFactStore,
  InMemoryRiskStore,
  InMemorySignalStore,
  SequentialIds,
} from '../testing';
import { NO_RETURNS } from '../domain/return-facts';
import type { OrderLookups } from './ports';
import { ReturnHistoryUseCase } from './return-history.use-case';
import { RiskUseCase } from './risk.use-case';

const DAY = 86_400_000;

/**
 * The return history from order events (issue 24) and the RETURN_ABUSE rules scoring on it,
 * against in-memory ports (the `order.order` route itself: interface/order-events.consumer.spec).
 */
describe('return history and RETURN_ABUSE', () => {
  const setup = () => {
    const clock = new FakeClock();
    const facts = new InMemoryReturnFactStore();
    const history = new ReturnHistoryUseCase(facts, clock);
    const risk = new RiskUseCase(
      new InMemoryRiskStore(),
      new InMemorySignalStore(),
      clock,
      new SequentialIds(),
      facts,
    );
    const ctx = newContext();
    let n = 0;
    /** A first delivery of `lines` lines to acc-1, now (the same shipment id delivers again). */
    const delivered = (
      lines: number,
      over: { shipmentId?: string; replacement?: boolean; status?: string } = {},
    ) =>
      history.onShipmentTracked(ctx, {
        accountId: 'acc-1',
        shipmentId: over.shipmentId ?? `sh-${++n}`,
        status: over.status ?? 'DELIVERED',
        lineCount: lines,
        replacement: over.replacement ?? false,
        occurredAt: clock.now(),
      });
    const settled = (
      kind: 'REFUND' | 'EXCHANGE' | 'REFUND_ONLY',
      lines: number,
      over: { returnId?: string; itemsMismatch?: boolean; settledAt?: Date } = {},
    ) =>
      history.onReturnSettled(ctx, {
        returnId: over.returnId ?? `ret-${++n}`,
        accountId: 'acc-1',
        kind,
        lineCount: lines,
        itemsMismatch: over.itemsMismatch ?? false,
        settledAt: over.settledAt ?? clock.now(),
      });
    const score = () => risk.scoreOrder(anOrder({ orderId: `o-${++n}` }));
    return { clock, facts, history, risk, delivered, settled, score };
  };

  const rate = (threshold: number, minSample?: number) =>
    aRule('RETURN_ABUSE', {
      id: 'rate',
      dimension: 'RETURN_RATE',
      windowSeconds: 90 * 86_400,
      threshold,
      ...(minSample === undefined ? {} : { minSample }),
      score: 40,
    });

  it('an account crosses the return rate from events: held with the counts in its audit', async () => {
    const { risk, delivered, settled, score } = setup();
    await risk.upsertRule(rate(60, 5));
    await delivered(3);
    await delivered(2);
    await settled('REFUND', 2);
    expect(await score()).toMatchObject({ decision: 'ALLOW', reasons: [] }); // 40 %
    await settled('EXCHANGE', 1);
    const held = await score(); // 3 of 5 lines: 60 %
    expect(held).toMatchObject({
      decision: 'REVIEW',
      score: 40,
      reasons: ['RETURN_ABUSE_RETURN_RATE'],
    });
    expect(held.signals.returns).toEqual({
      [90 * 86_400]: {
        deliveredLines: 5,
        returnedLines: 3,
        returnRate: 60,
        exchanges: 1,
        refundsWithoutReturn: 0,
        itemsMismatches: 0,
        cancellations: 0,
      },
    });
  });

  it('the rate counts once the minimum sample of delivered lines is reached', async () => {
    const { risk, delivered, settled, score } = setup();
    await risk.upsertRule(rate(60, 5));
    await delivered(4);
    await settled('REFUND', 4);
    const early = await score(); // 100 %, but 4 lines delivered
    expect(early.decision).toBe('ALLOW');
    expect(early.signals.returns).toMatchObject({
      [90 * 86_400]: { deliveredLines: 4, returnedLines: 4, returnRate: 100 },
    });
    await delivered(1);
    expect((await score()).reasons).toEqual(['RETURN_ABUSE_RETURN_RATE']); // 4 of 5
  });

  it('without min_sample the rate counts from the first delivered line', async () => {
    const { risk, delivered, settled, score } = setup();
    await risk.upsertRule(rate(50));
    await delivered(2);
    await settled('REFUND', 1);
    expect((await score()).reasons).toEqual(['RETURN_ABUSE_RETURN_RATE']);
  });

  it('a delivery or return seen again counts once; replacements and other statuses not at all', async () => {
    const { risk, facts, delivered, settled, score } = setup();
    await risk.upsertRule(rate(60, 5));
    expect(await delivered(5, { shipmentId: 'sh-a' })).toBe(1);
    // the same event again (a redelivery), or the carrier's second DELIVERED for the shipment
    expect(await delivered(5, { shipmentId: 'sh-a' })).toBe(0);
    expect(await delivered(3, { replacement: true })).toBe(0); // an exchange's replacement
    expect(await delivered(9, { status: 'IN_TRANSIT' })).toBe(0);
    expect(await settled('REFUND', 2, { returnId: 'ret-a' })).toBe(1);
    expect(await settled('REFUND', 2, { returnId: 'ret-a' })).toBe(0);
    expect(facts.facts.size).toBe(2);
    const d = await score(); // 2 of 5, not 4 of 10
    expect(d.decision).toBe('ALLOW');
    expect(d.signals.returns).toMatchObject({
      [90 * 86_400]: { deliveredLines: 5, returnedLines: 2, returnRate: 40 },
    });
  });

  it('a refund without a return is no returned goods: counted apart, not in the rate', async () => {
    const { risk, delivered, settled, score } = setup();
    await risk.upsertRule(rate(60, 1));
    await risk.upsertRule(
      aRule('RETURN_ABUSE', {
        id: 'refund-only',
        dimension: 'REFUNDS_WITHOUT_RETURN',
        windowSeconds: 90 * 86_400,
        threshold: 3,
      }),
    );
    await delivered(3);
    await settled('REFUND_ONLY', 3);
    await settled('REFUND_ONLY', 3);
    expect(await score()).toMatchObject({ decision: 'ALLOW' });
    await settled('REFUND_ONLY', 1);
    const d = await score();
    expect(d.reasons).toEqual(['RETURN_ABUSE_REFUNDS_WITHOUT_RETURN']);
    expect(d.signals.returns).toMatchObject({
      [90 * 86_400]: { deliveredLines: 3, returnedLines: 0, refundsWithoutReturn: 3 },
    });
  });

  it('a mismatched return is held for a year, then falls out of the window', async () => {
    const { risk, clock, settled, score } = setup();
    await risk.upsertRule(
      aRule('RETURN_ABUSE', {
        id: 'mismatch',
        dimension: 'ITEMS_MISMATCH',
        windowSeconds: 365 * 86_400,
        threshold: 1,
        score: 60,
      }),
    );
    await settled('REFUND', 1, { itemsMismatch: true });
    expect(await score()).toMatchObject({
      decision: 'REVIEW',
      score: 60,
      reasons: ['RETURN_ABUSE_ITEMS_MISMATCH'],
    });
    clock.advance(365 * DAY); // the window's first instant still holds it
    expect((await score()).decision).toBe('REVIEW');
    clock.advance(1000);
    expect((await score()).decision).toBe('ALLOW');
  });

  it('exchanges count within their window: the oldest falls out with the clock', async () => {
    const { risk, clock, settled, score } = setup();
    await risk.upsertRule(
      aRule('RETURN_ABUSE', {
        id: 'exchanges',
        dimension: 'EXCHANGES',
        windowSeconds: 30 * 86_400,
        threshold: 2,
      }),
    );
    await settled('EXCHANGE', 1);
    clock.advance(10 * DAY);
    await settled('EXCHANGE', 1);
    expect((await score()).reasons).toEqual(['RETURN_ABUSE_EXCHANGES']);
    clock.advance(20 * DAY + 1000); // the first is 30 days and a second old
    const d = await score();
    expect(d.decision).toBe('ALLOW');
    expect(d.signals.returns).toMatchObject({ [30 * 86_400]: { exchanges: 1 } });
  });

  it('reads no return history unless a RETURN_ABUSE rule is in force', async () => {
    const { risk, facts, score } = setup();
    await risk.upsertRule(
      aRule('ADDRESS_SPREAD', { dimension: 'ACCOUNT', windowSeconds: 86_400, threshold: 4 }),
    );
    await risk.upsertRule({ ...rate(60, 5), active: false });
    const d = await score();
    expect(facts.statsCalls).toBe(0);
    expect(d.signals).not.toHaveProperty('returns');
    await risk.upsertRule(rate(60, 5));
    await score();
    expect(facts.statsCalls).toBe(1);
  });

  it('given one OrderLookups, asks it once per order for lists and history, and not the two ports', async () => {
    const clock = new FakeClock();
    const store = new InMemoryRiskStore();
    const facts = new InMemoryReturnFactStore();
    const asked: Parameters<OrderLookups['read']>[] = [];
    const lookups: OrderLookups = {
      read: async (values, history) => {
        asked.push([values, history]);
        return {
          listed: ['DEVICE'],
          ...(history ? { returns: { [90 * 86_400]: { ...NO_RETURNS, deliveredLines: 5 } } } : {}),
        };
      },
    };
    const listed = jest.spyOn(store, 'listed');
    const risk = new RiskUseCase(
      store,
      new InMemorySignalStore(),
      clock,
      new SequentialIds(),
      facts,
      undefined,
      lookups,
    );
    await risk.upsertRule(aRule('LIST_MATCH', { listKind: 'DEVICE', action: 'REJECT' }));
    expect(await risk.scoreOrder(anOrder({ orderId: 'o-1' }))).toMatchObject({
      decision: 'REJECT',
      signals: { listed: ['DEVICE'] },
    });
    expect(asked[0]).toEqual([
      expect.arrayContaining([{ kind: 'DEVICE', value: 'dev-1' }]),
      undefined,
    ]);
    await risk.upsertRule(rate(60, 5));
    const d = await risk.scoreOrder(anOrder({ orderId: 'o-2' }));
    expect(asked[1][1]).toEqual({ accountId: 'acc-1', windows: [90 * 86_400], now: clock.now() });
    expect(d.signals.returns).toMatchObject({ [90 * 86_400]: { deliveredLines: 5 } });
    // no account: no history to read, an empty one per window
    const guest = await risk.scoreOrder(anOrder({ orderId: 'o-3', accountId: '' }));
    expect(asked[2][1]).toBeUndefined();
    expect(guest.signals.returns).toMatchObject({ [90 * 86_400]: { deliveredLines: 0 } });
    expect(asked).toHaveLength(3);
    expect(listed).not.toHaveBeenCalled();
    expect(facts.statsCalls).toBe(0);
  });

  it('reads each window once for all the rules asking for it', async () => {
    const { risk, facts, settled, score } = setup();
    await risk.upsertRule(rate(60, 5));
    await risk.upsertRule(
      aRule('RETURN_ABUSE', {
        id: 'exchanges',
        dimension: 'EXCHANGES',
        windowSeconds: 90 * 86_400,
        threshold: 1,
      }),
    );
    await settled('EXCHANGE', 1);
    const d = await score();
    expect(facts.statsCalls).toBe(1);
    expect(Object.keys(d.signals.returns as object)).toEqual([String(90 * 86_400)]);
    expect(d.reasons).toEqual(['RETURN_ABUSE_EXCHANGES']);
  });

  it('keeps a year and a day: older facts are not recorded, and pruned', async () => {
    const { clock, facts, history, settled } = setup();
    await settled('REFUND', 1, { returnId: 'old' });
    clock.advance(200 * DAY);
    await settled('REFUND', 1, { returnId: 'new' });
    clock.advance(166 * DAY + 1000); // "old" is 366 days and a second old
    expect(await history.prune(newContext())).toBe(1);
    expect([...facts.facts.keys()]).toEqual(['RETURNED:new']);
    // an event about something that long ago records nothing
    const longAgo = new Date(clock.now().getTime() - 367 * DAY);
    expect(await settled('REFUND', 1, { returnId: 'stale', settledAt: longAgo })).toBe(0);
    expect([...facts.facts.keys()]).toEqual(['RETURNED:new']);
  });
});
