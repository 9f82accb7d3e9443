import { Money } from '@emporia/money';
import {
  aCoupon,
  aCouponPromotion,
  aTemplate,
  CTX,
  FakeClock,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
} from '../testing';
import { CouponExpiryUseCase } from './coupon-expiry.use-case';
import type { CouponExpirySettings } from './ports';

const HOUR = 3_600_000;

/** The coupon expiry notice sweep against the in-memory unit of work (outbox rows recorded). */
describe('coupon expiry notices', () => {
  const setup = (settings: Partial<CouponExpirySettings> = {}) => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    const sweep = new CouponExpiryUseCase(uow, clock, {
      noticeHours: 24,
      batchSize: 100,
      ...settings,
    });
    const now = clock.now().getTime();
    // 满300减50, expiring in 20 hours; 5 off (aCouponPromotion) expiring in a week
    store.promotions.set('promo-coupon', aCouponPromotion());
    store.promotions.set(
      'promo-tiered',
      aCouponPromotion({
        id: 'promo-tiered',
        action: {
          kind: 'TIERED_REDUCTION',
          tiers: [{ threshold: Money.of(30000, 'CNY'), off: Money.of(5000, 'CNY') }],
        },
      }),
    );
    store.templates.set('tpl-soon', {
      ...aTemplate({
        id: 'tpl-soon',
        promotionId: 'promo-tiered',
        validTo: new Date(now + 20 * HOUR),
      }),
      issued: 0,
    });
    store.templates.set('tpl-later', {
      ...aTemplate({
        id: 'tpl-later',
        name: 'Week coupon',
        validTo: new Date(now + 7 * 24 * HOUR),
      }),
      issued: 0,
    });
    const put = (code: string, over: Partial<Parameters<typeof aCoupon>[0]> = {}) =>
      store.coupons.set(code, {
        row: aCoupon({
          code,
          templateId: 'tpl-soon',
          ownerId: 'acc-1',
          status: 'CLAIMED',
          ...over,
        }),
        createdAt: 0,
        updatedAt: 0,
        seq: ++store.seq,
      });
    return { store, clock, uow, sweep, put };
  };

  it('announces a held, unused coupon expiring within the window once, across runs', async () => {
    const s = setup();
    s.put('C-SOON');
    s.put('C-REDEEMED', { status: 'REDEEMED', orderId: 'o-1' });
    s.put('C-RESERVED', { status: 'RESERVED', orderId: 'o-2' });
    s.put('C-FREE', { status: 'ISSUED', ownerId: null });
    s.put('C-LATER', { templateId: 'tpl-later' });

    expect(await s.sweep.sweep(CTX)).toBe(1);
    expect(await s.sweep.sweep(CTX)).toBe(0);
    expect(s.store.outbox).toEqual([
      {
        type: 'CouponExpiring',
        code: 'C-SOON',
        accountId: 'acc-1',
        benefit: '满300减50',
        expiresAt: s.store.templates.get('tpl-soon')!.validTo.toISOString(),
      },
    ]);
    expect(s.store.expiryNotices.get('C-SOON')).toEqual(s.clock.now());

    // six days later the week coupon is due: announced then (a plain amount off reads 减5)
    s.clock.advance(6 * 24 * HOUR + HOUR);
    expect(await s.sweep.sweep(CTX)).toBe(1);
    expect(s.store.outbox.at(-1)).toMatchObject({ code: 'C-LATER', benefit: '减5' });
  });

  it('a coupon released back to its owner before expiry is announced then', async () => {
    const s = setup();
    s.put('C-HELD', { status: 'RESERVED', orderId: 'o-1' });
    expect(await s.sweep.sweep(CTX)).toBe(0);
    s.put('C-HELD', { status: 'CLAIMED', orderId: null });
    expect(await s.sweep.sweep(CTX)).toBe(1);
  });

  it('works through a backlog in batches, soonest expiry first', async () => {
    const s = setup({ batchSize: 2 });
    const now = s.clock.now().getTime();
    s.store.templates.set('tpl-sooner', {
      ...aTemplate({ id: 'tpl-sooner', validTo: new Date(now + HOUR) }),
      issued: 0,
    });
    s.put('C-1');
    s.put('C-2');
    s.put('C-0', { templateId: 'tpl-sooner' });
    expect(await s.sweep.sweep(CTX)).toBe(2);
    expect(s.store.outbox.map((e) => (e.type === 'CouponExpiring' ? e.code : ''))).toEqual([
      'C-0',
      'C-1',
    ]);
    expect(await s.sweep.sweep(CTX)).toBe(1);
    expect(await s.sweep.sweep(CTX)).toBe(0);
    expect(s.store.outbox).toHaveLength(3);
  });

  it('sends nothing when notices are off (0 hours) and leaves coupons unmarked', async () => {
    const s = setup({ noticeHours: 0 });
    s.put('C-SOON');
    expect(await s.sweep.sweep(CTX)).toBe(0);
    expect(s.store.outbox).toEqual([]);
    expect(s.store.expiryNotices.size).toBe(0);
  });

  it('a failed run marks nothing and records no event; the next run announces', async () => {
    const s = setup();
    s.put('C-SOON');
    s.uow.failNextRuns(1);
    await expect(s.sweep.sweep(CTX)).rejects.toThrow();
    expect(s.store.expiryNotices.size).toBe(0);
    expect(await s.sweep.sweep(CTX)).toBe(1);
    expect(s.store.outbox).toHaveLength(1);
  });
});
