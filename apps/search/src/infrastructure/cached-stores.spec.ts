import { testLogger } from '@emporia/testing';
import type { FlashSaleRecord } from '../domain/flash-offer';
import { CachedCategoryNames, CachedFlashSales, type FlashSaleSource } from './cached-stores';

const sale = (saleId: string, productId: string, endsAt = '2030-01-01T00:00:00Z') => ({
  saleId,
  skuId: `sku-${saleId}`,
  productId,
  priceMinor: 100,
  currency: 'CNY',
  startsAt: '2020-01-01T00:00:00Z',
  endsAt,
});

/** A store whose listing answers when the test says so. */
class SlowStore implements FlashSaleSource {
  sales = new Map<string, FlashSaleRecord>();
  queried = 0;
  release?: () => void;
  hold = false;
  async put(s: FlashSaleRecord) {
    this.sales.set(s.saleId, s);
  }
  async forProducts(ids: readonly string[], now: Date) {
    this.queried++;
    return (await this.unended(now, 1000)).filter((s) => ids.includes(s.productId));
  }
  async unended(now: Date, limit: number) {
    const snapshot = [...this.sales.values()];
    if (this.hold) await new Promise<void>((r) => (this.release = r));
    return snapshot.filter((s) => Date.parse(s.endsAt) > now.getTime()).slice(0, limit);
  }
}

describe('CachedFlashSales', () => {
  let clock = 0;
  const now = () => clock;
  const at = new Date('2026-01-01T00:00:00Z');

  it('answers from memory while fresh, from the store once the list is older than 2 × refresh', async () => {
    const store = new SlowStore();
    await store.put(sale('s1', 'p1'));
    await store.put(sale('s0', 'p1', '2025-01-01T00:00:00Z')); // ended
    const c = new CachedFlashSales(store, testLogger('t'), { refreshMs: 1000, limit: 10, now });
    clock = 0;
    await c.reload();
    expect((await c.forProducts(['p1', 'p1', 'p2'], at)).map((s) => s.saleId)).toEqual(['s1']);
    expect(store.queried).toBe(0);
    clock = 2000;
    await c.forProducts(['p1'], at);
    expect(store.queried).toBe(1);
  });

  it('keeps a sale it stored while a load that started before the write was running', async () => {
    const store = new SlowStore();
    const c = new CachedFlashSales(store, testLogger('t'), { refreshMs: 1000, limit: 10, now });
    clock = 0;
    await c.reload();
    store.hold = true;
    clock = 10;
    const loading = c.reload(); // its listing is taken before the write
    clock = 20;
    await c.put(sale('s2', 'p2'));
    store.release!();
    await loading;
    expect((await c.forProducts(['p2'], at)).map((s) => s.saleId)).toEqual(['s2']);
    expect(store.queried).toBe(0);
  });
});

describe('CachedCategoryNames', () => {
  it('reads a name once per time to live; its own writes at once', async () => {
    let clock = 0;
    const held = new Map<string, string>([['c1', 'Phones']]);
    let reads = 0;
    const c = new CachedCategoryNames(
      {
        put: async (x) => void held.set(x.id, x.name),
        names: async (ids) => {
          reads++;
          return new Map(ids.flatMap((id) => (held.has(id) ? [[id, held.get(id)!]] : [])));
        },
      },
      { ttlMs: 1000, maxEntries: 10, now: () => clock },
    );
    expect(await c.names(['c1', 'c9'])).toEqual(new Map([['c1', 'Phones']]));
    held.set('c1', 'Mobiles'); // another instance renames it
    clock = 999;
    expect(await c.names(['c1', 'c9'])).toEqual(new Map([['c1', 'Phones']]));
    expect(reads).toBe(1);
    clock = 1000;
    expect(await c.names(['c1'])).toEqual(new Map([['c1', 'Mobiles']]));
    await c.put({ id: 'c1', name: '手机', pathIds: ['c1'] });
    expect(await c.names(['c1'])).toEqual(new Map([['c1', '手机']]));
    expect(reads).toBe(2);
  });
});
