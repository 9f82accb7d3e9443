import { Money } from '@emporia/money';
import {
  aCouponPromotion,
  CTX,
  FakeClock,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
} from '../testing';
import { AdminUseCase } from './admin.use-case';

/** Campaigns and promotions as data, and which are in force, against the in-memory store. */
describe('marketing admin', () => {
  const setup = () => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    return { store, clock, admin: new AdminUseCase(new InMemoryUnitOfWork(store, clock), clock) };
  };
  const at = (d: number) => new Date(Date.UTC(2026, 10, d));
  const campaign = {
    id: 'c-11',
    name: 'Singles day',
    startsAt: at(10),
    endsAt: at(12),
    active: true,
  };
  const promo = aCouponPromotion({
    id: 'p-1',
    couponOnly: false,
    action: { kind: 'AMOUNT_OFF', amount: Money.of(1000, 'CNY') },
  });

  it('a promotion of a campaign needs the campaign', async () => {
    const { admin, store } = setup();
    await expect(
      admin.upsertPromotion(CTX, { ...promo, campaignId: 'c-11' }),
    ).rejects.toMatchObject({
      code: 'CAMPAIGN_NOT_FOUND',
    });
    expect(store.promotions.size).toBe(0);
    await admin.upsertCampaign(CTX, campaign);
    await admin.upsertPromotion(CTX, { ...promo, campaignId: 'c-11' });
    expect(store.promotions.get('p-1')!.campaignId).toBe('c-11');
  });

  it('a coupon-only promotion stays coupon-only', async () => {
    const { admin, store } = setup();
    await admin.upsertPromotion(CTX, { ...promo, couponOnly: true });
    await expect(admin.upsertPromotion(CTX, { ...promo, couponOnly: false })).rejects.toMatchObject(
      {
        code: 'PROMOTION_COUPON_ONLY',
      },
    );
    expect(store.promotions.get('p-1')!.couponOnly).toBe(true);
  });

  it('lists the promotions in force at a time: their own window and their campaign’s', async () => {
    const { admin } = setup();
    await admin.upsertCampaign(CTX, campaign);
    await admin.upsertPromotion(CTX, { ...promo, id: 'in-campaign', campaignId: 'c-11' });
    await admin.upsertPromotion(CTX, { ...promo, id: 'always', priority: 1 });
    await admin.upsertPromotion(CTX, { ...promo, id: 'later', startsAt: at(11), endsAt: at(20) });
    await admin.upsertPromotion(CTX, { ...promo, id: 'off', active: false });
    const ids = async (d?: Date) => (await admin.listPromotions(CTX, d)).map((p) => p.id);
    expect(await ids(at(10))).toEqual(['always', 'in-campaign']);
    expect(await ids(at(11))).toEqual(['always', 'in-campaign', 'later']);
    expect(await ids(at(12))).toEqual(['always', 'later']);
    expect(await ids()).toEqual(['always', 'in-campaign', 'later', 'off']);
  });
});
