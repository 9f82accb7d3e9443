import { metricsRegistry, newContext } from '@emporia/platform';
import type { MarketingBackend } from '../application/ports';
import { FlashAdmission } from './flash-admission';
import { FlashGate } from './flash-gate';
import { FlashSoldOutMarks } from './flash-sold-out';

const SALE = '3f6c1d2e-0000-4000-8000-0000000000a1';

async function counted(outcome: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('emporia_flash_sale_attempts_total');
  return (await metric!.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

/** What the gateway counted while `work` ran, by outcome. */
async function countedDuring(work: () => Promise<unknown>) {
  const outcomes = ['won', 'sold_out', 'limit', 'rejected'];
  const before = await Promise.all(outcomes.map(counted));
  await work();
  const after = await Promise.all(outcomes.map(counted));
  return Object.fromEntries(outcomes.map((o, i) => [o, after[i] - before[i]]));
}

describe('flash-sale attempts counted by the gateway', () => {
  it('counts only the losses its marks answer: what marketing decided, marketing counts', async () => {
    const marketing = {
      attemptFlashPurchase: async (_ctx: unknown, req: { accountId: string; saleId: string }) => ({
        result:
          req.accountId === 'winner' ? 'WON' : req.accountId === 'a' ? 'SOLD_OUT' : 'LIMIT_REACHED',
        token: req.accountId === 'winner' ? 't' : '',
        expiresAt: '',
      }),
    } as unknown as MarketingBackend;
    const gate = new FlashGate(new FlashSoldOutMarks(60_000), new FlashAdmission(0));
    const ctx = newContext();
    const attempt = (sale: string, who: string) =>
      gate.attempt(marketing, ctx, sale, who, 1).catch((e: { code?: string }) => e.code);
    // marketing's answers (a win, a sold-out that leaves a mark, a limit that leaves one)
    expect(
      await countedDuring(async () => {
        expect(await attempt('other-sale', 'winner')).toMatchObject({ result: 'WON' });
        expect(await attempt(SALE, 'a')).toBe('FLASH_SALE_SOLD_OUT');
        expect(await attempt('limited-sale', 'b')).toBe('FLASH_SALE_LIMIT_REACHED');
      }),
    ).toEqual({ won: 0, sold_out: 0, limit: 0, rejected: 0 });
    // the marks answer these: counted here, once each
    expect(
      await countedDuring(async () => {
        for (const who of ['c', 'd', 'e'])
          expect(await attempt(SALE, who)).toBe('FLASH_SALE_SOLD_OUT');
        expect(await attempt('limited-sale', 'b')).toBe('FLASH_SALE_LIMIT_REACHED');
      }),
    ).toEqual({ won: 0, sold_out: 3, limit: 1, rejected: 0 });
  });

  it('an attempt that waited for admission and is then answered by a mark is counted once', async () => {
    let answer!: (r: { result: string; token: string; expiresAt: string }) => void;
    const marketing = {
      attemptFlashPurchase: () => new Promise((r) => (answer = r)),
    } as unknown as MarketingBackend;
    const gate = new FlashGate(new FlashSoldOutMarks(60_000), new FlashAdmission(1));
    const ctx = newContext();
    expect(
      await countedDuring(async () => {
        const first = gate.attempt(marketing, ctx, SALE, 'a', 1).catch(() => undefined);
        const queued = gate.attempt(marketing, ctx, SALE, 'b', 1).catch(() => undefined);
        await Promise.resolve();
        answer({ result: 'SOLD_OUT', token: '', expiresAt: '' });
        await Promise.all([first, queued]);
      }),
    ).toEqual({ won: 0, sold_out: 1, limit: 0, rejected: 0 });
  });
});
