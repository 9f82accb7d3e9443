import { Money } from '@emporia/money';
import type { PromotionRecord } from '../domain/campaign';
import type { CartLine } from '../domain/promotion-engine';
import {
  CTX,
  FakeClock,
  InMemoryFlashSaleStore,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
  SequentialIds,
} from '../testing';
import { AdminUseCase } from './admin.use-case';
import { PricingUseCase } from './pricing.use-case';

const cny = (minor: number) => Money.of(minor, 'CNY');
const buyer = { memberTier: '', firstOrder: false, channel: 'WEB' };

/**
 * The operators' preview of a draft promotion against the in-memory store: what PriceCart would
 * answer once the draft is saved and in force, computed without saving anything, refused as the
 * save would refuse it.
 */
describe('previewing a draft promotion', () => {
  const setup = () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    return {
      store,
      clock,
      admin: new AdminUseCase(uow, clock),
      pricing: new PricingUseCase(uow, clock, new SequentialIds(), new InMemoryFlashSaleStore(), {
        tokenTtlMs: 300_000,
      }),
    };
  };
  const draft: PromotionRecord = {
    id: 'p-300',
    name: '满300减50, 满500减100',
    priority: 0,
    exclusive: false,
    scope: { kind: 'CART' },
    conditions: [{ kind: 'CHANNEL', channels: ['WEB'] }],
    action: {
      kind: 'TIERED_REDUCTION',
      tiers: [
        { threshold: cny(30000), off: cny(5000) },
        { threshold: cny(50000), off: cny(10000) },
      ],
    },
    campaignId: null,
    startsAt: null,
    endsAt: null,
    active: true,
    couponOnly: false,
  };
  const lines = (...minor: number[]): CartLine[] =>
    minor.map((m, i) => ({
      skuId: `sku-${i}`,
      productId: `p-${i}`,
      categoryPathIds: [],
      quantity: 1,
      unitPrice: cny(m),
    }));

  it('answers what PriceCart answers once the draft is saved, and saves nothing', async () => {
    const { admin, pricing, store } = setup();
    const carts = [lines(12000, 20000), lines(28000), lines(30000, 22000, 1), lines(49999)];
    const previews = [];
    for (const cart of carts) previews.push(await admin.previewPromotion(CTX, draft, cart, buyer));
    expect(store.promotions.size).toBe(0);
    expect(store.outbox).toEqual([]);
    expect(previews.map((p) => p.priced.total.amountMinor)).toEqual([27000, 28000, 42001, 44999]);

    await admin.upsertPromotion(CTX, draft);
    for (const [i, cart] of carts.entries()) {
      const checkout = await pricing.priceCart(CTX, {
        orderId: `o-${i}`,
        accountId: 'acc-1',
        lines: cart,
        couponCodes: [],
        channel: 'WEB',
        memberTier: '',
        firstOrder: false,
        flashToken: '',
        flashSaleId: null,
        groupDealId: '',
        groupId: '',
      });
      const { lines: l, subtotal, discount, shipping, total, applied, gifts } = previews[i].priced;
      expect({ l, subtotal, discount, shipping, total, applied, gifts }).toEqual({
        l: checkout.lines,
        subtotal: checkout.subtotal,
        discount: checkout.discount,
        shipping: checkout.shipping,
        total: checkout.total,
        applied: checkout.applied,
        gifts: checkout.gifts,
      });
    }
  });

  it('refuses what saving would refuse, with the same codes: its campaign must exist', async () => {
    const { admin } = setup();
    const bad = { ...draft, action: { kind: 'AMOUNT_OFF' as const, amount: cny(0) } };
    await expect(async () => admin.upsertPromotion(CTX, bad)).rejects.toMatchObject({
      code: 'PROMOTION_INVALID',
    });
    await expect(admin.previewPromotion(CTX, bad, lines(100), buyer)).rejects.toMatchObject({
      kind: 'INVALID_ARGUMENT',
      code: 'PROMOTION_INVALID',
    });
    const orphan = { ...draft, campaignId: 'c-404' };
    await expect(async () => admin.upsertPromotion(CTX, orphan)).rejects.toMatchObject({
      code: 'CAMPAIGN_NOT_FOUND',
    });
    await expect(admin.previewPromotion(CTX, orphan, lines(100), buyer)).rejects.toMatchObject({
      kind: 'NOT_FOUND',
      code: 'CAMPAIGN_NOT_FOUND',
    });
  });

  it("says whether the draft would be in force at the preview's time: now, or `at`", async () => {
    const { admin, clock } = setup();
    await admin.upsertCampaign(CTX, {
      id: 'c-12',
      name: 'Double 12',
      startsAt: new Date('2026-12-12T00:00:00+08:00'),
      endsAt: new Date('2026-12-13T00:00:00+08:00'),
      active: true,
    });
    const inCampaign = { ...draft, campaignId: 'c-12' };
    const now = await admin.previewPromotion(CTX, inCampaign, lines(32000), buyer);
    expect({ inForce: now.inForce, total: now.priced.total.amountMinor }).toEqual({
      inForce: false,
      total: 27000,
    });
    const on12 = new Date('2026-12-12T10:00:00+08:00');
    expect(
      (await admin.previewPromotion(CTX, inCampaign, lines(32000), { ...buyer, at: on12 })).inForce,
    ).toBe(true);
    expect(clock.now().getTime()).toBeLessThan(on12.getTime());
    // a DATE_WINDOW condition is met at `at` only
    const windowed = {
      ...draft,
      conditions: [
        { kind: 'DATE_WINDOW' as const, from: on12, to: new Date(on12.getTime() + 3_600_000) },
      ],
    };
    const total = async (at?: Date) =>
      (await admin.previewPromotion(CTX, windowed, lines(32000), { ...buyer, at })).priced.total
        .amountMinor;
    expect(await total()).toBe(32000);
    expect(await total(on12)).toBe(27000);
  });
});
