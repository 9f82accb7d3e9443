import type { MarketingBackend } from '../application/ports';
import { FlashAdmission } from './flash-admission';
import { FlashGate } from './flash-gate';
import { FlashSoldOutMarks } from './flash-sold-out';
import { newContext } from '@emporia/platform';

const SALE = '3f6c1d2e-0000-4000-8000-000000000001';

describe('FlashAdmission', () => {
  it('admits up to the limit per sale, then in arrival order as places are given back', async () => {
    const a = new FlashAdmission(2);
    expect(a.enter(SALE)).toBeUndefined();
    expect(a.enter(SALE)).toBeUndefined();
    expect(a.enter('other')).toBeUndefined();
    const order: number[] = [];
    const third = a.enter(SALE)!.then(() => order.push(3));
    const fourth = a.enter(SALE)!.then(() => order.push(4));
    expect(a.load(SALE)).toEqual({ active: 2, waiting: 2 });
    a.leave(SALE);
    await third;
    expect(order).toEqual([3]);
    a.leave(SALE);
    await fourth;
    expect(order).toEqual([3, 4]);
    a.leave(SALE);
    a.leave(SALE);
    expect(a.load(SALE)).toEqual({ active: 0, waiting: 0 });
  });

  it('has no limit at 0', () => {
    const a = new FlashAdmission(0);
    for (let i = 0; i < 100; i++) expect(a.enter(SALE)).toBeUndefined();
  });
});

describe('FlashGate', () => {
  it('answers the attempts queued behind the one that found the sale sold out from memory', async () => {
    const calls: string[] = [];
    let answer!: (r: { result: string; token: string; expiresAt: string }) => void;
    const marketing = {
      attemptFlashPurchase: (_ctx: unknown, req: { accountId: string }) => {
        calls.push(req.accountId);
        return new Promise((r) => (answer = r));
      },
    } as unknown as MarketingBackend;
    const gate = new FlashGate(new FlashSoldOutMarks(1000), new FlashAdmission(1));
    const ctx = newContext();
    const first = gate.attempt(marketing, ctx, SALE, 'a', 1).catch((e: Error) => e);
    const queued = ['b', 'c', 'd'].map((who) =>
      gate.attempt(marketing, ctx, SALE, who, 1).catch((e: Error) => e),
    );
    await Promise.resolve();
    expect(calls).toEqual(['a']);
    answer({ result: 'SOLD_OUT', token: '', expiresAt: '' });
    const answers = await Promise.all([first, ...queued]);
    expect(calls).toEqual(['a']);
    expect(answers.map((e) => (e as { code?: string }).code)).toEqual([
      'FLASH_SALE_SOLD_OUT',
      'FLASH_SALE_SOLD_OUT',
      'FLASH_SALE_SOLD_OUT',
      'FLASH_SALE_SOLD_OUT',
    ]);
    expect(gate.admission.load(SALE)).toEqual({ active: 0, waiting: 0 });
  });

  it('a buyer who won what the limit allows is answered from memory from the next attempt on', async () => {
    const calls: string[] = [];
    const bought = new Map<string, number>();
    const LIMIT = 2;
    const marketing = {
      attemptFlashPurchase: async (_ctx: unknown, req: { accountId: string; quantity: number }) => {
        calls.push(req.accountId);
        const had = bought.get(req.accountId) ?? 0;
        if (had + req.quantity > LIMIT)
          return { result: 'LIMIT_REACHED', token: '', expiresAt: '', allowanceLeft: LIMIT - had };
        bought.set(req.accountId, had + req.quantity);
        return {
          result: 'WON',
          token: `t-${calls.length}`,
          expiresAt: '2026-12-03T00:00:00Z',
          allowanceLeft: LIMIT - had - req.quantity,
        };
      },
    } as unknown as MarketingBackend;
    const gate = new FlashGate(new FlashSoldOutMarks(1000), new FlashAdmission(0));
    const ctx = newContext();
    const decide = (who: string, quantity = 1) => gate.decide(marketing, ctx, SALE, who, quantity);
    expect(await decide('a')).toMatchObject({ result: 'WON' }); // one unit left, said the win
    expect(await decide('a', 2)).toBe('LIMIT_REACHED'); // from memory
    expect(calls).toEqual(['a']);
    expect(await decide('a')).toMatchObject({ result: 'WON' }); // the last unit: marketing
    expect(calls).toEqual(['a', 'a']);
    expect(await decide('a')).toBe('LIMIT_REACHED');
    expect(await decide('a', 3)).toBe('LIMIT_REACHED');
    expect(await decide('b')).toMatchObject({ result: 'WON' });
    expect(calls).toEqual(['a', 'a', 'b']);
    // the Nest route's `attempt` throws the same loss as its 409 problem
    await expect(gate.attempt(marketing, ctx, SALE, 'a', 1)).rejects.toMatchObject({
      code: 'FLASH_SALE_LIMIT_REACHED',
    });
    // units given back to the buyer (marketing's restock announcement): marketing decides again
    gate.marks.restocked(SALE, 'a');
    bought.set('a', 1);
    expect(await decide('a')).toMatchObject({ result: 'WON' });
    expect(calls).toEqual(['a', 'a', 'b', 'a']);
  });

  it('a win passes its place on; a queued attempt then asks marketing itself', async () => {
    const calls: string[] = [];
    const marketing = {
      attemptFlashPurchase: async (_ctx: unknown, req: { accountId: string }) => {
        calls.push(req.accountId);
        return { result: 'WON', token: `t-${req.accountId}`, expiresAt: '2026-12-03T00:00:00Z' };
      },
    } as unknown as MarketingBackend;
    const gate = new FlashGate(new FlashSoldOutMarks(1000), new FlashAdmission(1));
    const wins = await Promise.all(
      ['a', 'b'].map((who) => gate.attempt(marketing, newContext(), SALE, who, 1)),
    );
    expect(wins.map((w) => w.token)).toEqual(['t-a', 't-b']);
    expect(calls).toEqual(['a', 'b']);
  });
});
