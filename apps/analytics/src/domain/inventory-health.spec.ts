import { inventoryHealth, type SkuWindowFacts } from './inventory-health';

const sku = (id: string, over: Partial<SkuWindowFacts>): SkuWindowFacts => ({
  skuId: id,
  productId: `p-${id}`,
  categoryId: 'leaf',
  categoryPathIds: ['root', 'leaf'],
  onHand: 0,
  unitsSold: 0,
  onHandDaySum: 0,
  ...over,
});
const opts = { windowDays: 10, limit: 100, categoryId: '', slowDays: 90, stockoutDays: 7 };

describe('inventory health', () => {
  it('computes the figures per definitions.md and sorts risks, then slow movers, then ids', () => {
    const r = inventoryHealth(
      [
        sku('c', { onHand: 100, unitsSold: 10, onHandDaySum: 1000 }), // dos 100 > 90: slow
        sku('a', { onHand: 5, unitsSold: 20, onHandDaySum: 100 }), // daily 2, dos 2.5: risk
        sku('b', { onHand: 50, unitsSold: 0, onHandDaySum: 500 }), // no sales: slow, dos −1
        sku('d', { onHand: 30, unitsSold: 10, onHandDaySum: 300 }), // dos 30: fine
        sku('e', { onHand: 0, unitsSold: 0 }), // nothing: fine
      ],
      opts,
    );
    expect(r.skus.map((s) => [s.skuId, s.stockoutRisk, s.slowMover])).toEqual([
      ['a', true, false],
      ['b', false, true],
      ['c', false, true],
      ['d', false, false],
      ['e', false, false],
    ]);
    expect(r.skus[0]).toMatchObject({ daysOfSupply: 2.5, turnover: 2, sellThrough: 20 / 25 });
    expect(r.skus[1]).toMatchObject({ daysOfSupply: -1, turnover: 0, sellThrough: 0 });
    expect(r.skus[4]).toMatchObject({ turnover: 0, sellThrough: 0, daysOfSupply: -1 });
    expect(r.categories.map((c) => c.categoryId)).toEqual(['leaf', 'root']);
    // sums: on hand 185, sold 40, day sums 1900 → avg 190
    expect(r.categories[0]).toMatchObject({
      onHand: 185,
      unitsSold: 40,
      daysOfSupply: 185 / 4,
      turnover: 40 / 190,
      sellThrough: 40 / 225,
    });
  });

  it('a category filter selects the SKUs whose path contains it, and rows from it down; limit cuts SKUs', () => {
    const r = inventoryHealth(
      [
        sku('a', { categoryPathIds: ['root', 'x'], categoryId: 'x', onHand: 1 }),
        sku('b', { categoryPathIds: ['root', 'y'], categoryId: 'y', onHand: 1 }),
        sku('c', { categoryPathIds: ['root', 'x', 'z'], categoryId: 'z', onHand: 1 }),
      ],
      { ...opts, categoryId: 'x', limit: 1 },
    );
    expect(r.skus.map((s) => s.skuId)).toEqual(['a']);
    expect(r.categories.map((c) => [c.categoryId, c.onHand])).toEqual([
      ['x', 2],
      ['z', 1],
    ]);
  });
});
