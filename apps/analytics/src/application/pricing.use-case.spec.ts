import { Money } from '@emporia/money';
import { newContext } from '@emporia/platform';
import { FakeClock, SequentialIds } from '@emporia/domain/testing';
import { AnalyticsError } from '../domain/analytics-error';
import {
  FakeCatalogPrices,
  InMemoryInventory,
  InMemoryPricingStore,
} from '../testing/pricing-fakes';
import { InventoryHealthUseCase } from './inventory-health.use-case';
import { PricingUseCase } from './pricing.use-case';

const SKU = '0190b000-0000-7000-8000-00000000aaaa';
const CAT = '0190b000-0000-7000-8000-00000000cccc';
const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
// 2026-11-25T10:00Z is 18:00 in Shanghai: today is 2026-11-25
const settings = {
  timeZone: 'Asia/Shanghai',
  slowDays: 90,
  stockoutDays: 7,
  lookbackDays: 90,
  defaultElasticity: -1.5,
  maxStep: 0.2,
};

function harness() {
  const inventory = new InMemoryInventory();
  const store = new InMemoryPricingStore();
  const catalog = new FakeCatalogPrices();
  const clock = new FakeClock(new Date('2026-11-25T10:00:00Z'));
  const ids = new SequentialIds();
  const ctx = newContext();
  const pricing = new PricingUseCase(store, inventory, catalog, clock, ids, settings);
  const health = new InventoryHealthUseCase(inventory, clock, settings);
  /** A SKU priced 100.00 since 2026-10-01 with `onHand` in stock and `sold` units on 2026-11-20. */
  const sku = (onHand: number, sold: number) => {
    inventory.skus.set(SKU, {
      skuId: SKU,
      productId: 'p',
      categoryId: CAT,
      categoryPathIds: [CAT],
      onHand,
      price: Money.of(10000, 'CNY'),
      points: [{ day: '2026-10-01', priceMinor: 10000 }],
    });
    inventory.onHandByDay.set(SKU, new Map([['2026-10-01', onHand]]));
    inventory.sales.set(SKU, new Map([['2026-11-20', sold]]));
  };
  const policy = (over = {}) =>
    pricing.upsertPolicy(ctx, {
      skuId: SKU,
      floor: cny(5000),
      ceiling: cny(20000),
      unitCost: cny(4000),
      minMarginBps: 1500,
      targetSellThrough: 0.5,
      targetDaysOfSupply: 30,
      enabled: true,
      ...over,
    });
  return { inventory, store, catalog, clock, ctx, pricing, health, sku, policy };
}

describe('pricing use cases', () => {
  it('suggests a lower price for an overstocked slow SKU, naming the default elasticity; a new one supersedes it', async () => {
    const h = harness();
    h.sku(300, 30); // 1/day, 300 days of supply, sell-through 30/330
    await h.policy();
    expect(await h.pricing.suggestAll(h.ctx)).toBe(1);
    const [s] = await h.pricing.listSuggestions(h.ctx, { status: 'PENDING', limit: 0 });
    // target rate 10/day: (10)^(1/−1.5) = 0.215 → capped at 20% → 80.00
    expect(s.suggestedPrice.amountMinor).toBe(8000);
    expect(s.elasticity).toBe(-1.5);
    expect(s.reasons.join('\n')).toMatch(/default/);
    expect(s.daysOfSupply).toBe(300);
    expect(await h.pricing.suggestAll(h.ctx)).toBe(1);
    const all = await h.pricing.listSuggestions(h.ctx, { status: '', limit: 10 });
    expect(all.map((x) => x.status)).toEqual(['PENDING', 'SUPERSEDED']);
  });

  it('no suggestion without an enabled policy, within targets, or for a SKU never seen', async () => {
    const h = harness();
    h.sku(300, 30);
    await h.policy({ enabled: false });
    expect(await h.pricing.suggestAll(h.ctx)).toBe(0);
    await h.policy({ targetDaysOfSupply: 365, targetSellThrough: 0.05 });
    expect(await h.pricing.suggestAll(h.ctx)).toBe(0);
    h.inventory.skus.clear();
    await h.policy();
    expect(await h.pricing.suggestAll(h.ctx)).toBe(0);
  });

  it('approve sets the price in catalog with the suggestion id as request id, then APPROVED with the audit', async () => {
    const h = harness();
    h.sku(300, 30);
    await h.policy();
    await h.pricing.suggestAll(h.ctx);
    const [s] = await h.pricing.listSuggestions(h.ctx, { status: 'PENDING', limit: 1 });
    h.catalog.refuse = new AnalyticsError('FAILED_PRECONDITION', 'ORIGINAL_PRICE_TOO_HIGH', 'no');
    await expect(
      h.pricing.decide(h.ctx, { id: s.id, decision: 'approve', decidedBy: 'op-1' }),
    ).rejects.toMatchObject({
      code: 'ORIGINAL_PRICE_TOO_HIGH',
    });
    expect((await h.pricing.listSuggestions(h.ctx, { status: 'PENDING', limit: 1 }))[0].id).toBe(
      s.id,
    );
    const done = await h.pricing.decide(h.ctx, {
      id: s.id,
      decision: 'approve',
      decidedBy: 'op-1',
    });
    expect(done).toMatchObject({ status: 'APPROVED', decidedBy: 'op-1' });
    expect(done.decidedAt).toEqual(new Date('2026-11-25T10:00:00Z'));
    expect(h.catalog.calls).toEqual([
      {
        skuId: SKU,
        price: Money.of(8000, 'CNY'),
        reason: 'price-suggestion',
        reference: s.id,
        actorId: 'op-1',
        requestId: s.id,
      },
    ]);
    await expect(
      h.pricing.decide(h.ctx, { id: s.id, decision: 'reject', decidedBy: 'op-2' }),
    ).rejects.toMatchObject({
      kind: 'FAILED_PRECONDITION',
      code: 'SUGGESTION_NOT_PENDING',
    });
  });

  it('reject marks REJECTED without calling catalog; bad decisions are refused by field', async () => {
    const h = harness();
    h.sku(300, 30);
    await h.policy();
    await h.pricing.suggestAll(h.ctx);
    const [s] = await h.pricing.listSuggestions(h.ctx, { status: 'PENDING', limit: 1 });
    await expect(
      h.pricing.decide(h.ctx, { id: s.id, decision: 'maybe', decidedBy: 'x' }),
    ).rejects.toMatchObject({
      details: { field: 'decision' },
    });
    await expect(
      h.pricing.decide(h.ctx, { id: s.id, decision: 'reject', decidedBy: ' ' }),
    ).rejects.toMatchObject({
      details: { field: 'decided_by' },
    });
    await expect(
      h.pricing.decide(h.ctx, { id: 'x', decision: 'reject', decidedBy: 'a' }),
    ).rejects.toMatchObject({
      details: { field: 'id' },
    });
    expect(
      (await h.pricing.decide(h.ctx, { id: s.id, decision: 'REJECT', decidedBy: 'op' })).status,
    ).toBe('REJECTED');
    expect(h.catalog.calls).toHaveLength(0);
    await expect(
      h.pricing.listSuggestions(h.ctx, { status: 'nope', limit: 1 }),
    ).rejects.toMatchObject({
      details: { field: 'status' },
    });
  });

  it('estimates the elasticity from the price history when there are two prices with sales', async () => {
    const h = harness();
    h.sku(300, 0);
    const s = h.inventory.skus.get(SKU)!;
    s.points = [
      { day: '2026-09-01', priceMinor: 12000 },
      { day: '2026-10-15', priceMinor: 10000 },
    ];
    // 2026-08-28..2026-10-14 at 120.00: 1 unit on 09-10; 10-15.. at 100.00: 30 units on 11-20
    h.inventory.sales.set(
      SKU,
      new Map([
        ['2026-09-10', 1],
        ['2026-11-20', 30],
      ]),
    );
    await h.policy();
    await h.pricing.suggestAll(h.ctx);
    const [sugg] = await h.pricing.listSuggestions(h.ctx, { status: 'PENDING', limit: 1 });
    const perDay120 = 1 / 44; // 09-01..10-14
    const perDay100 = 30 / 42; // 10-15..11-25
    expect(sugg.elasticity).toBeCloseTo(
      Math.log(perDay100 / perDay120) / Math.log(10000 / 12000),
      10,
    );
    expect(sugg.reasons.join('\n')).toMatch(/least squares over 2 price periods/);
  });

  it('inventory health validates its query and reads the window ending today', async () => {
    const h = harness();
    h.sku(10, 20); // 20 sold on 11-20 within 30 days: daily 2/3, dos 15
    const r = await h.health.get(h.ctx, { categoryId: '', windowDays: 0, limit: 0 });
    expect(r.windowDays).toBe(30);
    expect(r.skus[0]).toMatchObject({
      unitsSold: 20,
      daysOfSupply: 15,
      turnover: 2,
      stockoutRisk: false,
    });
    const week = await h.health.get(h.ctx, { categoryId: CAT, windowDays: 3, limit: 5 });
    expect(week.skus[0]).toMatchObject({ unitsSold: 0, slowMover: true });
    await expect(
      h.health.get(h.ctx, { categoryId: '', windowDays: 366, limit: 0 }),
    ).rejects.toMatchObject({
      details: { field: 'window_days' },
    });
    await expect(
      h.health.get(h.ctx, { categoryId: 'x', windowDays: 1, limit: 0 }),
    ).rejects.toMatchObject({
      details: { field: 'category_id' },
    });
  });
});
