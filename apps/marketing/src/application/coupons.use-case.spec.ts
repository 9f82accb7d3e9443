import {
  aCouponPromotion,
  aTemplate,
  CTX,
  FakeClock,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
  SequentialRandom,
} from '../testing';
import { CouponsUseCase } from './coupons.use-case';

/** Coupon templates, issuance and claims against the in-memory unit of work. */
describe('coupons', () => {
  const setup = async (template = aTemplate()) => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    const random = new SequentialRandom();
    const coupons = new CouponsUseCase(uow, clock, random.random);
    store.promotions.set('promo-coupon', aCouponPromotion());
    await coupons.createTemplate(CTX, template);
    return { store, clock, uow, random, coupons };
  };

  it('a template needs an existing coupon-only promotion, and its id once', async () => {
    const { coupons, store } = await setup();
    await expect(coupons.createTemplate(CTX, aTemplate({ id: 'tpl-1' }))).rejects.toMatchObject({
      code: 'COUPON_TEMPLATE_EXISTS',
    });
    await expect(
      coupons.createTemplate(CTX, aTemplate({ id: 'tpl-2', promotionId: 'nope' })),
    ).rejects.toMatchObject({ code: 'PROMOTION_NOT_FOUND' });
    store.promotions.set('open', aCouponPromotion({ id: 'open', couponOnly: false }));
    await expect(
      coupons.createTemplate(CTX, aTemplate({ id: 'tpl-3', promotionId: 'open' })),
    ).rejects.toMatchObject({ code: 'PROMOTION_NOT_COUPON_ONLY' });
    expect([...store.templates.keys()]).toEqual(['tpl-1']);
  });

  it('issues distinct codes within the total limit and counts them', async () => {
    const { coupons, store } = await setup();
    const codes = await coupons.issue(CTX, 'tpl-1', 7);
    expect(new Set(codes).size).toBe(7);
    expect(store.templates.get('tpl-1')!.issued).toBe(7);
    await expect(coupons.issue(CTX, 'tpl-1', 4)).rejects.toMatchObject({
      code: 'COUPON_LIMIT_REACHED',
    });
    expect(store.coupons.size).toBe(7);
    expect(store.templates.get('tpl-1')!.issued).toBe(7);
  });

  it('a colliding code is skipped and another drawn; the count stays exact', async () => {
    const { coupons, random, store } = await setup();
    const [first] = await coupons.issue(CTX, 'tpl-1', 1);
    // the next draw repeats the first code's bytes: a collision
    random.replay.push(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1]));
    const more = await coupons.issue(CTX, 'tpl-1', 2);
    expect(more).not.toContain(first);
    expect(new Set([first, ...more]).size).toBe(3);
    expect(store.templates.get('tpl-1')!.issued).toBe(3);
  });

  it('claiming a code makes it the account’s; twice is one claim; another account is refused', async () => {
    const { coupons, store } = await setup();
    const [code] = await coupons.issue(CTX, 'tpl-1', 1);
    const mine = await coupons.claim(CTX, 'acc-1', { code: code.toLowerCase().replace('-', ' ') });
    expect(mine).toMatchObject({ code, status: 'CLAIMED', ownerId: 'acc-1', name: 'Five off' });
    expect(await coupons.claim(CTX, 'acc-1', { code })).toMatchObject({ ownerId: 'acc-1' });
    await expect(coupons.claim(CTX, 'acc-2', { code })).rejects.toMatchObject({
      code: 'COUPON_TAKEN',
    });
    expect(store.coupons.get(code)!.row.ownerId).toBe('acc-1');
    await expect(coupons.claim(CTX, 'acc-1', { code: 'not a code' })).rejects.toMatchObject({
      code: 'COUPON_CODE_INVALID',
    });
  });

  it('an account holds at most perUserLimit coupons of a template', async () => {
    const { coupons, store } = await setup();
    await coupons.claim(CTX, 'acc-1', { templateId: 'tpl-1' });
    await coupons.claim(CTX, 'acc-1', { templateId: 'tpl-1' });
    await expect(coupons.claim(CTX, 'acc-1', { templateId: 'tpl-1' })).rejects.toMatchObject({
      code: 'COUPON_USER_LIMIT',
    });
    const [code] = await coupons.issue(CTX, 'tpl-1', 1);
    await expect(coupons.claim(CTX, 'acc-1', { code })).rejects.toMatchObject({
      code: 'COUPON_USER_LIMIT',
    });
    expect(store.templates.get('tpl-1')!.issued).toBe(3);
    expect((await coupons.list(CTX, 'acc-1')).map((c) => c.status)).toEqual(['CLAIMED', 'CLAIMED']);
  });

  it('claiming from a template counts towards its total limit; a full template refuses', async () => {
    const { coupons, store } = await setup(aTemplate({ totalLimit: 2, perUserLimit: 5 }));
    await coupons.issue(CTX, 'tpl-1', 1);
    await coupons.claim(CTX, 'acc-1', { templateId: 'tpl-1' });
    await expect(coupons.claim(CTX, 'acc-2', { templateId: 'tpl-1' })).rejects.toMatchObject({
      code: 'COUPON_LIMIT_REACHED',
    });
    expect(store.coupons.size).toBe(2);
  });

  it('an expired coupon cannot be claimed', async () => {
    const { coupons, clock, store } = await setup();
    clock.advance(7 * 86_400_000);
    await expect(coupons.claim(CTX, 'acc-1', { templateId: 'tpl-1' })).rejects.toMatchObject({
      code: 'COUPON_EXPIRED',
    });
    expect(store.coupons.size).toBe(0);
  });

  it('a fresh code colliding with an issued one refuses the claim and takes nothing', async () => {
    const { coupons, random, store } = await setup();
    const [code] = await coupons.issue(CTX, 'tpl-1', 1);
    // the fresh coupon's code collides with the issued one
    random.replay.push(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1]));
    await expect(coupons.claim(CTX, 'acc-9', { templateId: 'tpl-1' })).rejects.toMatchObject({
      code: 'COUPON_CODE_COLLISION',
    });
    expect(store.coupons.get(code)!.row.ownerId).toBeNull();
    expect(store.templates.get('tpl-1')!.issued).toBe(1);
  });
});
