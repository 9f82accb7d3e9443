import { newContext } from '@emporia/platform';
import type { CartAbandonment, FactPartitions } from './collection.ports';
import { collectionSettings } from '../testing/collection.in-memory';
import { CollectionSweeps } from './collection-sweeps.use-case';

class RecordingPartitions implements FactPartitions {
  ensured: string[] = [];
  cut = '';
  async ensure(days: readonly string[]): Promise<number> {
    this.ensured = [...days];
    return days.length;
  }
  async dropBefore(day: string): Promise<string[]> {
    this.cut = day;
    return [];
  }
}

describe('CollectionSweeps', () => {
  // 17:00 UTC on Dec 2 is already Dec 3 in Shanghai
  const now = new Date('2026-12-02T17:00:00Z');
  const setup = () => {
    const partitions = new RecordingPartitions();
    const asked: Parameters<CartAbandonment['raiseDue']>[0][] = [];
    const carts: CartAbandonment = { raiseDue: async (o) => (asked.push(o), 0) };
    const sweeps = new CollectionSweeps(
      partitions,
      carts,
      collectionSettings({
        maxLateDays: 2,
        retentionDays: 10,
        cartAbandonMinutes: 30,
        cartReminderCapHours: 24,
        cartSweepBatch: 7,
      }),
      { timeZone: 'Asia/Shanghai' },
      { now: () => now },
    );
    return { partitions, asked, sweeps };
  };

  it("makes the partitions from the shop's today - max late to today + 2", async () => {
    const { partitions, sweeps } = setup();
    await sweeps.makePartitions(newContext());
    expect(partitions.ensured).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
    ]);
  });

  it('drops the partitions older than the retention', async () => {
    const { partitions, sweeps } = setup();
    await sweeps.dropExpired(newContext());
    expect(partitions.cut).toBe('2026-11-23');
  });

  it('asks for the carts due with the delay, the cap and the batch size', async () => {
    const { asked, sweeps } = setup();
    await sweeps.raiseAbandonedCarts(newContext());
    expect(asked).toEqual([{ now, abandonAfterMs: 30 * 60_000, capMs: 24 * 3_600_000, limit: 7 }]);
  });
});
