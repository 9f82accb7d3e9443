import {
  aCouponPromotion,
  anEvent,
  aTemplate,
  CTX,
  FakeClock,
  InMemoryMarketingStore,
  InMemoryUnitOfWork,
  SequentialRandom,
} from '../testing';
import { AudiencesUseCase } from './audiences.use-case';
import { CouponsUseCase } from './coupons.use-case';

const HOUR = 3_600_000;

/** Coupons for analytics' audiences and abandoned carts, against the in-memory unit of work. */
describe('audiences and cart reminders', () => {
  const setup = async (template = aTemplate({ totalLimit: 3, perUserLimit: 1 })) => {
    const store = new InMemoryMarketingStore();
    const clock = new FakeClock();
    const uow = new InMemoryUnitOfWork(store, clock);
    const random = new SequentialRandom();
    store.promotions.set('promo-coupon', aCouponPromotion());
    await new CouponsUseCase(uow, clock, random.random).createTemplate(CTX, template);
    const audiences = new AudiencesUseCase(uow, clock, random.random);
    return { store, clock, uow, audiences };
  };
  const part = (accountIds: string[], templateId = 'tpl-1') => ({
    audienceId: 'aud-1',
    couponTemplateId: templateId,
    accountIds,
  });

  it('gives each account of an audience one coupon, once, however often the part comes', async () => {
    const { store, audiences } = await setup();
    expect(await audiences.onAudienceExported(CTX, anEvent('p1'), part(['a', 'b', 'a']))).toBe(
      true,
    );
    // the same event again, and the same part under another event id: nothing more
    expect(await audiences.onAudienceExported(CTX, anEvent('p1'), part(['a', 'b']))).toBe(false);
    await audiences.onAudienceExported(CTX, anEvent('p1-again'), part(['a', 'b']));
    const owned = [...store.coupons.values()].map((c) => c.row.ownerId).sort();
    expect(owned).toEqual(['a', 'b']);
    expect(store.templates.get('tpl-1')!.issued).toBe(2);
    expect(store.grants.map((g) => [g.source, g.accountId, g.outcome])).toEqual([
      ['aud-1', 'a', 'GRANTED'],
      ['aud-1', 'b', 'GRANTED'],
    ]);
    expect(store.grants[0].couponCode).toBe(
      [...store.coupons.values()].find((c) => c.row.ownerId === 'a')!.row.code,
    );
  });

  it('a template used up, expired or unknown is a SKIPPED grant with the reason, not a retry', async () => {
    const { store, clock, audiences } = await setup(aTemplate({ totalLimit: 4, perUserLimit: 1 }));
    await audiences.onAudienceExported(CTX, anEvent('p1'), part(['a', 'b', 'c']));
    // the account already holds its one coupon of the template (from another audience)
    await audiences.onAudienceExported(CTX, anEvent('p2'), {
      ...part(['a', 'd', 'e']),
      audienceId: 'aud-2',
    });
    expect(store.grants.map((g) => [g.source, g.accountId, g.outcome, g.reason])).toEqual([
      ['aud-1', 'a', 'GRANTED', ''],
      ['aud-1', 'b', 'GRANTED', ''],
      ['aud-1', 'c', 'GRANTED', ''],
      ['aud-2', 'a', 'SKIPPED', 'COUPON_USER_LIMIT'],
      ['aud-2', 'd', 'GRANTED', ''],
      ['aud-2', 'e', 'SKIPPED', 'COUPON_LIMIT_REACHED'],
    ]);
    expect(store.templates.get('tpl-1')!.issued).toBe(4);
    // a template with room left, past its end
    store.templates.set('tpl-2', { ...aTemplate({ id: 'tpl-2' }), issued: 0 });
    clock.advance(30 * 24 * HOUR);
    await audiences.onAudienceExported(CTX, anEvent('p3'), {
      ...part(['e'], 'tpl-2'),
      audienceId: 'aud-3',
    });
    expect(store.grants.at(-1)).toMatchObject({ outcome: 'SKIPPED', reason: 'COUPON_EXPIRED' });
    await audiences.onAudienceExported(CTX, anEvent('p4'), {
      ...part(['f'], 'tpl-none'),
      audienceId: 'aud-4',
    });
    expect(store.grants.at(-1)).toMatchObject({
      outcome: 'SKIPPED',
      reason: 'COUPON_TEMPLATE_NOT_FOUND',
      couponCode: null,
    });
    expect(store.inbox.size).toBe(4);
  });

  it('cart reminders: only with the policy on, at most one per account within the interval', async () => {
    const { store, clock, audiences } = await setup(aTemplate({ totalLimit: 10, perUserLimit: 5 }));
    await audiences.onCartAbandoned(CTX, anEvent('c0'), 'a');
    expect(store.grants).toEqual([]);
    await audiences.setPolicy(CTX, {
      enabled: true,
      couponTemplateId: 'tpl-1',
      minIntervalHours: 24,
    });
    await audiences.onCartAbandoned(CTX, anEvent('c1'), 'a');
    clock.advance(23 * HOUR);
    await audiences.onCartAbandoned(CTX, anEvent('c2'), 'a');
    await audiences.onCartAbandoned(CTX, anEvent('c3'), 'b');
    clock.advance(HOUR);
    await audiences.onCartAbandoned(CTX, anEvent('c4'), 'a');
    expect(store.grants.map((g) => [g.source, g.accountId, g.outcome, g.reason])).toEqual([
      ['cart-reminder', 'a', 'GRANTED', ''],
      ['cart-reminder', 'a', 'SKIPPED', 'FREQUENCY_CAP'],
      ['cart-reminder', 'b', 'GRANTED', ''],
      ['cart-reminder', 'a', 'GRANTED', ''],
    ]);
    expect([...store.coupons.values()].filter((c) => c.row.ownerId === 'a')).toHaveLength(2);
    const listed = await audiences.listGrants(CTX, {
      source: 'cart-reminder',
      accountId: 'a',
      limit: 2,
    });
    expect(listed.map((g) => g.outcome)).toEqual(['GRANTED', 'SKIPPED']);
  });

  it('checks the policy: hours 1..8760, a template that exists; lists within 1..1000', async () => {
    const { audiences } = await setup();
    expect(await audiences.getPolicy(CTX)).toEqual({
      enabled: false,
      couponTemplateId: '',
      minIntervalHours: 0,
    });
    for (const hours of [0, 8761, 1.5])
      await expect(
        audiences.setPolicy(CTX, {
          enabled: true,
          couponTemplateId: 'tpl-1',
          minIntervalHours: hours,
        }),
      ).rejects.toMatchObject({
        code: 'POLICY_INVALID',
        details: { field: 'policy.min_interval_hours' },
      });
    await expect(
      audiences.setPolicy(CTX, { enabled: true, couponTemplateId: '', minIntervalHours: 5 }),
    ).rejects.toMatchObject({ details: { field: 'policy.coupon_template_id' } });
    await expect(
      audiences.setPolicy(CTX, { enabled: true, couponTemplateId: 'nope', minIntervalHours: 5 }),
    ).rejects.toMatchObject({ kind: 'NOT_FOUND', code: 'COUPON_TEMPLATE_NOT_FOUND' });
    const p = { enabled: true, couponTemplateId: 'tpl-1', minIntervalHours: 8760 };
    await audiences.setPolicy(CTX, p);
    expect(await audiences.getPolicy(CTX)).toEqual(p);
    for (const limit of [0, 1001])
      await expect(
        audiences.listGrants(CTX, { source: '', accountId: '', limit }),
      ).rejects.toMatchObject({ code: 'LIMIT_INVALID', details: { field: 'limit' } });
  });
});
