import { FlashWinBatcher } from './flash-win-batcher';
import type { FlashPurchase } from './ports';

const win = (token: string): FlashPurchase => ({
  token,
  saleId: 's',
  accountId: 'a',
  quantity: 1,
  status: 'WON',
  orderId: null,
  wonAt: new Date(0),
  expiresAt: new Date(1),
});

describe('FlashWinBatcher', () => {
  it('writes the wins that arrive during a write together in the next one; each caller waits for its own', async () => {
    const writes: string[][] = [];
    let release!: () => void;
    const b = new FlashWinBatcher(
      async (wins) => {
        writes.push(wins.map((w) => w.token));
        if (writes.length === 1) await new Promise<void>((r) => (release = r));
      },
      () => undefined,
    );
    const done: string[] = [];
    const first = b.record(win('1')).then(() => done.push('1'));
    const rest = ['2', '3', '4'].map((t) => b.record(win(t)).then(() => done.push(t)));
    await Promise.resolve();
    expect(writes).toEqual([['1']]);
    expect(done).toEqual([]);
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([['1'], ['2', '3', '4']]);
    expect(done).toEqual(['1', '2', '3', '4']);
  });

  it('caps a batch and reports a failed write with its wins; the callers go on', async () => {
    const writes: number[] = [];
    const failed: string[][] = [];
    const b = new FlashWinBatcher(
      async (wins) => {
        writes.push(wins.length);
        if (wins.some((w) => w.token === 'bad')) throw new Error('db down');
      },
      (_err, wins) => failed.push(wins.map((w) => w.token)),
      2,
    );
    await Promise.all(['a', 'bad', 'c', 'd', 'e'].map((t) => b.record(win(t))));
    expect(writes).toEqual([1, 2, 2]);
    expect(failed).toEqual([['bad', 'c']]);
  });
});
